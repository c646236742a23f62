"""Ports of money: the payments table, the PSPs' checkouts, and the readers of their webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event


@dataclass(frozen=True)
class PaymentRecord:
    payment_key: str  # provider + provider's event/payment id: the idempotency key for money
    amount: int
    currency: str
    provider: str
    reference: str | None = None
    paid_at: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # The PSP's id of this payment (Stripe payment intent, Adyen pspReference), kept so that its refunds
    # and disputes, which name only the payment, find the claim again.
    psp_payment_id: str | None = None


class PaymentRepository(Protocol):
    """Every movement of a claim's money, once: the payments table, with the PSP payment ids that find claims."""

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
        """Record the payment once (AlreadyDoneError on a repeat) and update the claim atomically.

        ConflictError when the claim changed since it was read; PaymentTakenError when its PSP payment id paid
        another claim of the tenant already. Returns the claim as stored, as ClaimRepository.update does.
        """
        ...

    def payments(self, claim_id: str) -> list[dict[str, Any]]:
        """The claim's recorded movements: payment_key, amount, provider, paid_at."""
        ...

    def find_by_provider_reference(self, tenant_id: str, provider: str, reference: str) -> str | None:
        """The tenant's claim a PSP payment (Stripe payment intent, Adyen pspReference) was applied to."""
        ...


@dataclass(frozen=True)
class CheckoutRequest:
    """A hosted checkout for paying (part of) a claim by card or wallet."""

    claim_id: str
    tenant_id: str
    amount: int  # minor units
    currency: str
    description: str  # shown on the checkout page, e.g. "Invoice 4711 – Demo Shop GmbH"
    customer_email: str
    language: str  # "de" / "en"
    success_url: str
    cancel_url: str


class CheckoutProvider(Protocol):
    def create_checkout(self, request: CheckoutRequest) -> str:
        """Create a hosted checkout and return the URL to send the debtor to."""
        ...


@dataclass(frozen=True)
class PaymentEvent:
    """A verified PSP webhook event that moves money, as the event states it."""

    event_id: str  # the provider's event id: the idempotency key for money
    claim_id: str | None  # None: the event names only the payment it takes back (original_payment)
    amount: int  # minor units; positive for payments, negative for refunds
    currency: str
    kind: str  # "payment" | "refund" | "chargeback"
    provider_reference: str  # payment intent / charge / payment id
    # The PSP's id of the payment a refund or dispute takes back (Stripe: its payment intent). An event that
    # carries no claim id is the claim's that payment was applied to; the service looks it up.
    original_payment: str | None = None


class PaymentEventReader(Protocol):
    def __call__(self, body: bytes, headers: Mapping[str, str], secret: str, /) -> list[PaymentEvent]:
        """Verify the provider's signature with the tenant's secret (SignatureError), then read its money events.

        InvalidInputError("body", …) for a signed body that cannot be read; an empty list when it moves no money.
        """
        ...
