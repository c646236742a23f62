"""DynamoClaimRepository: claims, their unique keys, timeline, payments and message reservations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from chalicelib.adapters.dynamodb import cursors, keys
from chalicelib.adapters.dynamodb.mapping import claim_from_model, claim_to_model, event_from_model, event_to_model
from chalicelib.adapters.dynamodb.models import ClaimModel, DeliveryModel, EventModel, LookupModel, PaymentModel
from chalicelib.domain.claim import CLOSED, CONTACTABLE
from chalicelib.domain.errors import (
    AlreadyDoneError,
    ClaimClosedError,
    ClaimNotFoundError,
    ConflictError,
    DuplicateClaimError,
    TransientError,
)
from chalicelib.services.ports import Page

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event
    from chalicelib.services.ports import PaymentRecord

_CLOSED = [str(s) for s in CLOSED]
_CONTACTABLE = [str(s) for s in CONTACTABLE]
_THROTTLED = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [r.code if r is not None else None for r in (exc.cancellation_reasons or [])]


def _raise_if_throttled(exc: Exception) -> None:
    code = getattr(exc, "cause_response_code", None)
    if code in _THROTTLED or "TransactionConflict" in str(_reasons(exc) if isinstance(exc, TransactWriteError) else ""):
        raise TransientError(f"DynamoDB is busy: {code}") from exc


def new_event_id() -> str:
    return str(ULID())


class DynamoClaimRepository:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def _transaction(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=getattr(ClaimModel.Meta, "region", None))
        return TransactWrite(connection=self._connection)

    def add(self, claim: Claim, pay_token_hash: str, idempotency: tuple[str, str] | None, event: Event) -> Claim:
        unique = [
            LookupModel(keys.external_id(claim.tenant_id, claim.external_id), target=claim.claim_id),
            LookupModel(keys.payment_reference(claim.payment_reference), target=claim.claim_id),
            LookupModel(keys.pay_token(pay_token_hash), target=claim.claim_id, tenant_id=claim.tenant_id),
        ]
        if idempotency:
            key, fingerprint = idempotency
            unique.append(
                LookupModel(keys.idempotency(claim.tenant_id, key), target=claim.claim_id, fingerprint=fingerprint)
            )
        item = claim_to_model(claim)
        try:
            with self._transaction() as tx:
                for lookup in unique:
                    tx.save(lookup, condition=LookupModel.key.does_not_exist())
                tx.save(item, condition=ClaimModel.claim_id.does_not_exist())
                tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            _raise_if_throttled(exc)
            for lookup, code in zip(unique, _reasons(exc), strict=False):
                if code == "ConditionalCheckFailed":
                    existing = LookupModel.get(lookup.key, consistent_read=True)
                    raise DuplicateClaimError(existing.target, lookup.key) from exc
            raise ConflictError(f"claim {claim.claim_id} could not be stored") from exc
        return claim_from_model(item)

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim:
        try:
            item = ClaimModel.get(claim_id, consistent_read=True)
        except DoesNotExist as exc:
            raise ClaimNotFoundError(f"no claim {claim_id}") from exc
        if tenant_id is not None and item.tenant_id != tenant_id:
            raise ClaimNotFoundError(f"no claim {claim_id}")  # another tenant's claim does not exist for this one
        return claim_from_model(item)

    def find_by_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        try:
            item = LookupModel.get(keys.idempotency(tenant_id, key), consistent_read=True)
        except DoesNotExist:
            return None
        return item.target, item.fingerprint or ""

    def find_by_pay_token(self, token_hash: str) -> str | None:
        try:
            return str(LookupModel.get(keys.pay_token(token_hash), consistent_read=True).target)
        except DoesNotExist:
            return None

    def find_by_provider_reference(self, provider: str, reference: str) -> str | None:
        try:
            return str(LookupModel.get(keys.provider_payment(provider, reference), consistent_read=True).target)
        except DoesNotExist:
            return None

    def find_by_payment_reference(self, reference: str) -> str | None:
        """The claim a bank transfer's ISO 11649 reference names; the caller checks the claim's tenant."""
        try:
            return str(LookupModel.get(keys.payment_reference(reference), consistent_read=True).target)
        except DoesNotExist:
            return None

    def find_by_external_id(self, tenant_id: str, external_id: str) -> str | None:
        try:
            return str(LookupModel.get(keys.external_id(tenant_id, external_id), consistent_read=True).target)
        except DoesNotExist:
            return None

    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page:
        index = ClaimModel.by_tenant_status if status else ClaimModel.by_tenant
        bound = {"status_claim": f"{status}#"} if status else None
        start = cursors.decode(cursor, tenant_id, cursors.key_schema(ClaimModel, index), starts_with=bound)
        if status:
            result = ClaimModel.by_tenant_status.query(
                tenant_id,
                ClaimModel.status_claim.startswith(f"{status}#"),
                scan_index_forward=False,
                limit=limit,
                last_evaluated_key=start,
            )
        else:
            result = ClaimModel.by_tenant.query(
                tenant_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
            )
        items = [claim_from_model(item) for item in result]
        return Page(items=items, cursor=cursors.encode(result.last_evaluated_key))

    def update(self, claim: Claim, events: list[Event]) -> Claim:
        item = claim_to_model(claim)
        try:
            with self._transaction() as tx:
                tx.save(item)
                for event in events:
                    tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            _raise_if_throttled(exc)
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile") from exc
        return claim_from_model(item)

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
        item = claim_to_model(claim)
        record = PaymentModel(
            claim.claim_id,
            payment.payment_key,
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
            reference=payment.reference,
            paid_at=payment.paid_at,
            data=payment.data,
        )
        try:
            with self._transaction() as tx:
                tx.save(record, condition=PaymentModel.payment_key.does_not_exist())
                if payment.psp_payment_id:
                    key = keys.provider_payment(payment.provider, payment.psp_payment_id)
                    tx.save(LookupModel(key, target=claim.claim_id, tenant_id=claim.tenant_id))
                tx.save(item)
                for event in events:
                    tx.save(event_to_model(claim.claim_id, claim.tenant_id, event, new_event_id()))
        except TransactWriteError as exc:
            _raise_if_throttled(exc)
            if _reasons(exc)[:1] == ["ConditionalCheckFailed"]:
                raise AlreadyDoneError(f"payment {payment.payment_key} was applied before") from exc
            raise ConflictError(f"claim {claim.claim_id} changed meanwhile") from exc
        return claim_from_model(item)

    def set_task_token(self, claim_id: str, token: str) -> None:
        # A raw update: the token is plumbing, not business state, so it does not bump the version.
        claim_still_open = ClaimModel.claim_id.exists() & ~ClaimModel.status.is_in(*_CLOSED)
        try:
            ClaimModel._get_connection().update_item(
                claim_id, actions=[ClaimModel.task_token.set(token)], condition=claim_still_open
            )
        except UpdateError as exc:
            _raise_if_throttled(exc)
            raise ClaimClosedError(claim_id) from exc

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        claim_still_contactable = ClaimModel.status.is_in(*_CONTACTABLE)
        not_sent_before = DeliveryModel.delivery_key.does_not_exist()
        try:
            with self._transaction() as tx:
                tx.condition_check(ClaimModel, claim_id, condition=claim_still_contactable)
                tx.save(
                    DeliveryModel(claim_id, keys.delivery(stage, channel), state="reserved"),
                    condition=not_sent_before,
                )
        except TransactWriteError as exc:
            _raise_if_throttled(exc)
            claim_reason, delivery_reason = (_reasons(exc) + [None, None])[:2]
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
            _raise_if_throttled(exc)
            raise AlreadyDoneError(f"notice {key} of {claim_id} was sent before") from exc

    def complete_delivery(
        self, claim_id: str, tenant_id: str, stage: str, channel: str, provider_id: str, event: Event
    ) -> None:
        item = DeliveryModel(claim_id, keys.delivery(stage, channel), state="sent", provider_id=provider_id)
        with self._transaction() as tx:
            tx.save(item)
            tx.save(event_to_model(claim_id, tenant_id, event, new_event_id()))

    def release_delivery(self, claim_id: str, tenant_id: str, stage: str, channel: str, event: Event) -> None:
        """The provider said no before sending: free the slot so a retry may send."""
        with self._transaction() as tx:
            tx.delete(DeliveryModel(claim_id, keys.delivery(stage, channel)))
            tx.save(event_to_model(claim_id, tenant_id, event, new_event_id()))

    def events(self, claim_id: str) -> list[Event]:
        return [event_from_model(item) for item in EventModel.query(claim_id, consistent_read=True)]

    def append(self, claim_id: str, tenant_id: str, event: Event) -> None:
        try:
            event_to_model(claim_id, tenant_id, event, new_event_id()).save()
        except PutError as exc:
            _raise_if_throttled(exc)
            raise

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        return [
            {"payment_key": p.payment_key, "amount": int(p.amount), "provider": p.provider, "paid_at": p.paid_at}
            for p in PaymentModel.query(claim_id, consistent_read=True)
        ]
