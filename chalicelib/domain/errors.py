"""Domain errors: adapters translate provider errors into these; the API maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the business rules raise."""


class InvalidInputError(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class IllegalTransitionError(DomainError):
    pass


class CurrencyMismatchError(DomainError):
    pass


class NotFoundError(DomainError):
    pass


class ClaimNotFoundError(NotFoundError):
    pass


class TenantNotFoundError(NotFoundError):
    pass


class ConflictError(DomainError):
    """A conditional write lost: someone else changed the record first."""


class DuplicateClaimError(ConflictError):
    """A unique key of a new claim (external id, payment reference, Idempotency-Key) is taken."""

    def __init__(self, claim_id: str, key: str) -> None:
        super().__init__(f"{key} already points at claim {claim_id}")
        self.claim_id = claim_id
        self.key = key


class ClaimClosedError(ConflictError):
    """The claim is settled, cancelled or handed over; nothing more may be sent or changed."""


class AlreadyDoneError(ConflictError):
    """The step was done before (a retry): doing it again would duplicate it."""


class PaymentTakenError(ConflictError):
    """A PSP's payment id already paid another claim of the tenant: one payment never pays two claims."""


class TransientError(DomainError):
    """A dependency failed in a way worth retrying (throttling, timeouts, 5xx)."""


class PermanentDeliveryError(DomainError):
    """A provider rejected a message for good (bad address, opted out)."""


class SignatureError(DomainError):
    """An inbound webhook's signature or timestamp did not verify."""
