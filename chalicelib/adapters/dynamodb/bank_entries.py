"""DynamoBankEntryRepository: imported bank credits and reversals, the review list, and which files were seen.

Each credit is also filed in the lookups table under its transfer keys (end-to-end id or bank reference,
with account, currency and amount), listing every credit that shares a key, so that a reversal finds the
credit it takes back, or learns that several could be meant.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, PutError, QueryError, UpdateError

from chalicelib.adapters.dynamodb import cursors, keys
from chalicelib.adapters.dynamodb.models import BankEntryModel, LookupModel
from chalicelib.domain.bank_statements import Allocation, BankEntry, Credit, EntryKind, EntryStatus, StatementEntry
from chalicelib.domain.errors import ConflictError, NotFoundError, TransientError
from chalicelib.services.ports import EntryPage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pynamodb.exceptions import PynamoDBException

_THROTTLED = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
_CONDITION_FAILED = "ConditionalCheckFailedException"
MAX_FILED = 10  # credits kept under one transfer key; two already make a reversal a person's decision
_FILING_ATTEMPTS = 5  # concurrent imports filing under the same key each retry on a changed list


class DynamoBankEntryRepository:
    def get(self, tenant_id: str, entry_id: str) -> BankEntry | None:
        try:
            return _entry(BankEntryModel.get(tenant_id, entry_id, consistent_read=True))
        except DoesNotExist:
            return None

    def add(self, entry: BankEntry) -> bool:
        # Filed first: a stored credit is always findable; a crash in between leaves an id whose entry is
        # missing, which makes a reversal ask a person, and the next import stores the entry.
        if entry.kind == EntryKind.CREDIT:
            for transfer_key in entry.entry.credit.transfer_keys():
                self._file(entry.tenant_id, transfer_key, entry.entry_id)
        try:
            _item(entry).save(condition=BankEntryModel.entry_id.does_not_exist())
        except PutError as exc:
            _raise_if_throttled(exc)
            if exc.cause_response_code == _CONDITION_FAILED:
                return False
            raise
        return True

    def credits_sharing(self, tenant_id: str, transfer_keys: Sequence[str]) -> list[str]:
        found: list[str] = []
        for transfer_key in transfer_keys:
            try:
                filed = LookupModel.get(keys.bank_transfer(tenant_id, transfer_key), consistent_read=True)
            except DoesNotExist:
                continue
            found += [entry_id for entry_id in str(filed.target).split() if entry_id not in found]
        return found

    def _file(self, tenant_id: str, transfer_key: str, entry_id: str) -> None:
        key = keys.bank_transfer(tenant_id, transfer_key)
        for _ in range(_FILING_ATTEMPTS):
            try:
                filed: LookupModel | None = LookupModel.get(key, consistent_read=True)
            except DoesNotExist:
                filed = None
            ids = str(filed.target).split() if filed is not None else []
            if entry_id in ids:
                return
            unchanged = LookupModel.key.does_not_exist() if filed is None else LookupModel.target == filed.target
            listed = LookupModel(key, target=" ".join([*ids, entry_id][-MAX_FILED:]), tenant_id=tenant_id)
            try:
                listed.save(condition=unchanged)
                return
            except PutError as exc:
                _raise_if_throttled(exc)
                if exc.cause_response_code != _CONDITION_FAILED:
                    raise
        raise TransientError(f"bank entry {entry_id}: its transfer key kept changing under concurrent imports")

    def start_applying(
        self, tenant_id: str, entry_id: str, allocations: tuple[Allocation, ...], method: str
    ) -> BankEntry:
        still_waiting_for_review = BankEntryModel.status == str(EntryStatus.REVIEW)
        item = BankEntryModel(tenant_id, entry_id)
        try:
            item.update(
                actions=[
                    BankEntryModel.status.set(str(EntryStatus.APPLYING)),
                    BankEntryModel.allocations.set([list(a) for a in allocations]),
                    BankEntryModel.method.set(method),
                    BankEntryModel.review_tenant.remove(),
                    BankEntryModel.review_key.remove(),
                ],
                condition=BankEntryModel.entry_id.exists() & still_waiting_for_review,
            )
        except UpdateError as exc:
            _raise_if_throttled(exc)
            if exc.cause_response_code == _CONDITION_FAILED:
                raise ConflictError(f"bank entry {entry_id} was assigned or matched already") from exc
            raise
        return _entry(item)

    def finish(self, tenant_id: str, entry_id: str, status: EntryStatus) -> BankEntry:
        item = BankEntryModel(tenant_id, entry_id)
        try:
            item.update(
                actions=[BankEntryModel.status.set(str(status))],
                condition=BankEntryModel.status == str(EntryStatus.APPLYING),
            )
        except UpdateError as exc:
            _raise_if_throttled(exc)
            if exc.cause_response_code == _CONDITION_FAILED:
                # A concurrent retry finished it first: the outcome is the same.
                stored = self.get(tenant_id, entry_id)
                if stored is not None:
                    return stored
                raise NotFoundError(f"no bank entry {entry_id}") from exc
            raise
        return _entry(item)

    def review_page(self, tenant_id: str, cursor: str | None, limit: int) -> EntryPage:
        schema = cursors.key_schema(BankEntryModel, BankEntryModel.by_review)
        start = cursors.decode(cursor, tenant_id, schema, owner_attribute="review_tenant")
        try:
            result = BankEntryModel.by_review.query(tenant_id, limit=limit, last_evaluated_key=start)
            items = [_entry(item) for item in result]
        except QueryError as exc:
            _raise_if_throttled(exc)
            raise
        last = result.last_evaluated_key
        return EntryPage(items=items, cursor=cursors.encode(last))

    def statement_imported(self, tenant_id: str, digest: str) -> str | None:
        try:
            return str(LookupModel.get(keys.statement(tenant_id, digest), consistent_read=True).target)
        except DoesNotExist:
            return None

    def remember_statement(self, tenant_id: str, digest: str, statement_id: str) -> None:
        try:
            LookupModel(keys.statement(tenant_id, digest), target=statement_id, tenant_id=tenant_id).save()
        except PutError as exc:
            _raise_if_throttled(exc)
            raise


def _raise_if_throttled(exc: PynamoDBException) -> None:
    if exc.cause_response_code in _THROTTLED:
        raise TransientError(f"DynamoDB is busy: {exc.cause_response_code}") from exc


def _item(entry: BankEntry) -> BankEntryModel:
    credit = entry.entry.credit
    waiting = entry.status == EntryStatus.REVIEW
    return BankEntryModel(
        entry.tenant_id,
        entry.entry_id,
        review_tenant=entry.tenant_id if waiting else None,
        review_key=keys.review(credit.booking_date.isoformat(), entry.entry_id) if waiting else None,
        statement_id=entry.statement_id,
        status=str(entry.status),
        account=credit.account,
        amount=credit.amount,
        currency=credit.currency,
        booking_date=credit.booking_date.isoformat(),
        value_date=credit.value_date.isoformat() if credit.value_date else None,
        remittance=credit.remittance,
        debtor_name=credit.debtor_name,
        debtor_iban=credit.debtor_iban,
        bank_reference=credit.bank_reference,
        end_to_end_id=credit.end_to_end_id,
        allocations=[list(a) for a in entry.allocations],
        method=entry.method,
        confidence=entry.confidence,
        imported_at=entry.imported_at,
        kind=str(entry.kind),
        review_reason=entry.review_reason,
        reverses=entry.reverses,
    )


def _entry(item: BankEntryModel) -> BankEntry:
    credit = Credit(
        account=item.account,
        amount=int(item.amount),
        currency=item.currency,
        booking_date=date.fromisoformat(item.booking_date),
        value_date=date.fromisoformat(item.value_date) if item.value_date else None,
        remittance=item.remittance or "",
        debtor_name=item.debtor_name,
        debtor_iban=item.debtor_iban,
        bank_reference=item.bank_reference,
        end_to_end_id=item.end_to_end_id,
        kind=EntryKind(item.kind or EntryKind.CREDIT),
    )
    return BankEntry(
        tenant_id=item.tenant_id,
        statement_id=item.statement_id,
        entry=StatementEntry(item.entry_id, credit),
        status=EntryStatus(item.status),
        imported_at=item.imported_at,
        allocations=tuple(Allocation(str(c), int(a)) for c, a in (item.allocations or [])),
        method=item.method,
        confidence=float(item.confidence) if item.confidence is not None else None,
        review_reason=item.review_reason,
        reverses=item.reverses,
    )
