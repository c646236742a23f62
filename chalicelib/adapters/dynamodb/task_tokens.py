"""DynamoTaskTokenRepository: the waiting execution's task token, kept on the claim item."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.dynamodb.models import ClaimModel
from chalicelib.adapters.dynamodb.transactions import raise_if_throttled
from chalicelib.domain.claim import CLOSED
from chalicelib.domain.errors import ClaimClosedError

_CLOSED = [str(s) for s in CLOSED]


class DynamoTaskTokenRepository:
    def set_task_token(self, claim_id: str, token: str) -> None:
        # A raw update: the token is plumbing, not business state, so it does not bump the version.
        claim_still_open = ClaimModel.claim_id.exists() & ~ClaimModel.status.is_in(*_CLOSED)
        try:
            ClaimModel._get_connection().update_item(
                claim_id, actions=[ClaimModel.task_token.set(token)], condition=claim_still_open
            )
        except UpdateError as exc:
            raise_if_throttled(exc)
            raise ClaimClosedError(claim_id) from exc
