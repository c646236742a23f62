"""DynamoMessageDeliveryRepository: one item per (claim, "stage#channel") in the messages table, reserved before a send.

The reservation is the linearization point of "no contact after settlement" and "one message per stage and
channel": the claim's status is checked in the same transaction that creates the item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.mapping import event_to_model
from chalicelib.adapters.dynamodb.models import ClaimModel, DeliveryModel
from chalicelib.adapters.dynamodb.transactions import Transactions, new_event_id, raise_if_throttled, reasons
from chalicelib.domain.claim import CONTACTABLE
from chalicelib.domain.errors import AlreadyDoneError, ClaimClosedError, ConflictError

if TYPE_CHECKING:
    from chalicelib.domain.events import Event

_CONTACTABLE = [str(s) for s in CONTACTABLE]


class DynamoMessageDeliveryRepository:
    def __init__(self, transactions: Transactions | None = None) -> None:
        self._transactions = transactions or Transactions()

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        claim_still_contactable = ClaimModel.status.is_in(*_CONTACTABLE)
        not_sent_before = DeliveryModel.delivery_key.does_not_exist()
        try:
            with self._transactions.write() as tx:
                tx.condition_check(ClaimModel, claim_id, condition=claim_still_contactable)
                tx.save(
                    DeliveryModel(claim_id, keys.delivery(stage, channel), state="reserved"),
                    condition=not_sent_before,
                )
        except TransactWriteError as exc:
            raise_if_throttled(exc)
            claim_reason, delivery_reason = (reasons(exc) + [None, None])[:2]
            if claim_reason == "ConditionalCheckFailed":
                raise ClaimClosedError(claim_id) from exc
            if delivery_reason == "ConditionalCheckFailed":
                raise AlreadyDoneError(f"{stage}/{channel} of {claim_id} was sent before") from exc
            raise ConflictError(str(exc)) from exc

    def reserve_notice(self, claim_id: str, key: str) -> None:
        """A notice is sent whatever the claim's status, but only once per key (AlreadyDoneError)."""
        try:
            DeliveryModel(claim_id, keys.delivery("notice", key), state="reserved").save(
                condition=DeliveryModel.delivery_key.does_not_exist()
            )
        except PutError as exc:
            raise_if_throttled(exc)
            raise AlreadyDoneError(f"notice {key} of {claim_id} was sent before") from exc

    def complete_delivery(
        self, claim_id: str, tenant_id: str, stage: str, channel: str, provider_id: str, event: Event
    ) -> None:
        item = DeliveryModel(claim_id, keys.delivery(stage, channel), state="sent", provider_id=provider_id)
        with self._transactions.write() as tx:
            tx.save(item)
            tx.save(event_to_model(claim_id, tenant_id, event, new_event_id()))

    def release_delivery(self, claim_id: str, tenant_id: str, stage: str, channel: str, event: Event) -> None:
        """The provider said no before sending: free the slot so a retry may send."""
        with self._transactions.write() as tx:
            tx.delete(DeliveryModel(claim_id, keys.delivery(stage, channel)))
            tx.save(event_to_model(claim_id, tenant_id, event, new_event_id()))
