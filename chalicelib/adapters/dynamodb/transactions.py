"""The one DynamoDB connection for writes that must commit together, and how their failures read."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from chalicelib.adapters.dynamodb.models import ClaimModel
from chalicelib.domain.errors import ConflictError, TransientError

_THROTTLED = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}


class Transactions:
    """Shared by every repository of a claim's items (claim, events, payments, messages), made on first use.

    The connection is opened lazily so that nothing touches AWS before the models are bound to their tables.
    """

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def write(self) -> TransactWrite:
        if self._connection is None:
            self._connection = Connection(region=getattr(ClaimModel.Meta, "region", None))
        return TransactWrite(connection=self._connection)


def reasons(exc: TransactWriteError) -> list[str | None]:
    """The cancellation reason of each item of a failed transaction, in the order they were added."""
    return [r.code if r is not None else None for r in (exc.cancellation_reasons or [])]


def raise_if_contended(exc: TransactWriteError, what: str) -> None:
    """A busy table is worth a retry later (TransientError); a transaction that met another on the same item lost a
    race just like a changed version (ConflictError): services.retries re-reads and tries again at once.
    """
    if getattr(exc, "cause_response_code", None) in _THROTTLED:
        raise TransientError(f"DynamoDB is busy: {exc.cause_response_code}") from exc
    if "TransactionConflict" in reasons(exc):
        raise ConflictError(f"{what} was written by another transaction meanwhile") from exc


def raise_if_throttled(exc: Exception) -> None:
    """A busy table or a transaction racing another is worth a retry (TransientError); the rest is the caller's."""
    code = getattr(exc, "cause_response_code", None)
    if code in _THROTTLED or "TransactionConflict" in str(reasons(exc) if isinstance(exc, TransactWriteError) else ""):
        raise TransientError(f"DynamoDB is busy: {code}") from exc


def new_event_id() -> str:
    return str(ULID())
