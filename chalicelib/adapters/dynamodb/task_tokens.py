"""DynamoTaskTokenRepository: the waiting execution's task token, an attribute of the claim item no one else writes.

The token's lifecycle:
- set by the wait that begins (AwaitEvent), only while the claim is open and the execution's run is the claim's;
- read back by every change of the claim right after it committed (token_after_write), so that the change
  resumes the wait that is open now, never one it read before;
- taken off the claim by the change that closes it (no wait may begin on a closed claim, so that token is the
  last), and cleared by an execution that finishes.
Claim writes (claims.py, payments.py) leave the attribute alone: see mapping.claim_changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, GetError, UpdateError

from chalicelib.adapters.dynamodb.models import ClaimModel
from chalicelib.adapters.dynamodb.transactions import raise_if_throttled
from chalicelib.domain.claim import CLOSED
from chalicelib.domain.errors import ClaimClosedError, TransientError
from chalicelib.observability import logger

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

_CLOSED = [str(s) for s in CLOSED]
_RACED = "TransactionConflictException"  # a transaction on the claim was in flight: AwaitEvent is retried


class DynamoTaskTokenRepository:
    def set_task_token(self, claim_id: str, token: str, run: int | None = None) -> None:
        # A raw update: the token is plumbing, not business state, so it does not bump the version.
        condition = ClaimModel.claim_id.exists() & ~ClaimModel.status.is_in(*_CLOSED)
        if run is not None:
            condition &= ClaimModel.reopened == run  # a run that a re-opening replaced waits no more
        try:
            ClaimModel._get_connection().update_item(
                claim_id, actions=[ClaimModel.task_token.set(token)], condition=condition
            )
        except UpdateError as exc:
            raise_if_throttled(exc)
            if exc.cause_response_code == _RACED:
                raise TransientError(f"claim {claim_id} is being written") from exc
            raise ClaimClosedError(claim_id) from exc

    def clear_task_token(self, claim_id: str) -> None:
        _remove(claim_id, ClaimModel.task_token.exists())


def token_after_write(claim_id: str, closed: bool) -> str | None:
    """The token of the wait open now, read after a change of the claim committed; a change that closed it takes it.

    The change stands whatever happens here: a token that cannot be read is a wake-up that comes late (the
    execution sees the change when its wait times out), never a change that is lost.
    """
    try:
        token = ClaimModel.get(claim_id, consistent_read=True, attributes_to_get=["task_token"]).task_token
    except DoesNotExist:
        return None
    except GetError:
        logger.warning("task token not read after a change; the execution sees it at its next step", claim_id=claim_id)
        return None
    if closed and token:
        _remove(claim_id, ClaimModel.task_token == token)
    return token


def _remove(claim_id: str, condition: Condition) -> None:
    """Best effort: a token left behind is one nobody waits on, and notifying it only answers "not waiting"."""
    try:
        ClaimModel._get_connection().update_item(
            claim_id, actions=[ClaimModel.task_token.remove()], condition=ClaimModel.claim_id.exists() & condition
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":  # else: no token, or a newer one
            logger.warning("task token not cleared", claim_id=claim_id, error=exc.cause_response_code)
