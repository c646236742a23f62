"""Ports: what the services need from the outside world. Adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.domain.bank_statements import BankEntry
from chalicelib.domain.claim import Claim
from chalicelib.domain.ladder import Channel
from chalicelib.domain.webhook_delivery import Delivery

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chalicelib.domain.bank_statements import Allocation, EntryStatus
    from chalicelib.domain.events import Event
    from chalicelib.domain.tenant import Tenant
    from chalicelib.domain.webhook_delivery import DeliveryMessage, Endpoint


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one debtor on one channel, fully rendered."""

    claim_id: str
    tenant_id: str
    stage: str
    channel: Channel
    to: str  # email address, E.164 phone number, or postal name for letters
    subject: str
    body: str  # plain text; for calls the text that is spoken
    language: str
    html: str | None = None  # email only
    ssml: str | None = None  # calls only
    attachment: bytes | None = None  # letters: the PDF
    sender: str | None = None  # the tenant's name, shown as the sender


class MessageSender(Protocol):
    def send(self, message: OutboundMessage) -> str:
        """Deliver the message and return the provider's message id (or the letter's storage key).

        Raises TransientError when retrying may help (throttling, 5xx, timeouts) and
        PermanentDeliveryError when it will not (invalid address, opted out).
        """
        ...


class AgencyClient(Protocol):
    def hand_over(self, payload: dict[str, Any]) -> str:
        """POST the claim with its full history to the agency; return the agency's reference."""
        ...


# Generations per run of a claim's workflow. A claim re-opened for the n-th time (a refund after it was paid)
# starts at generation REOPENED_RUN * n; an execution continues every 300 days, so no run uses up 1000.
REOPENED_RUN = 1000


class WorkflowClient(Protocol):
    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        """Start the claim's execution (named after the claim and generation); starting twice is harmless."""
        ...

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        """Resume a waiting execution; False if the token is no longer waiting."""
        ...


@dataclass(frozen=True)
class Page:
    items: list[Claim]
    cursor: str | None


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


class TenantRepository(Protocol):
    def get(self, tenant_id: str) -> Tenant: ...
    def by_api_key_hash(self, key_hash: str) -> Tenant | None: ...
    def save(self, tenant: Tenant) -> None: ...
    def add_api_key(self, tenant_id: str, key_hash: str) -> None: ...


class ClaimRepository(Protocol):
    def add(self, claim: Claim, pay_token_hash: str, idempotency: tuple[str, str] | None, event: Event) -> Claim:
        """Store a new claim with its unique keys; DuplicateClaimError carries the existing id."""
        ...

    def get(self, claim_id: str, tenant_id: str | None = None) -> Claim: ...
    def find_by_idempotency_key(self, tenant_id: str, key: str) -> tuple[str, str] | None: ...
    def page(self, tenant_id: str, status: str | None, cursor: str | None, limit: int) -> Page: ...
    def update(self, claim: Claim, events: list[Event]) -> Claim:
        """Write the claim if its version is unchanged (ConflictError otherwise) with its events."""
        ...

    def apply_payment(self, claim: Claim, payment: PaymentRecord, events: list[Event]) -> Claim:
        """Record the payment once (AlreadyDoneError on a repeat) and update the claim atomically."""
        ...

    def set_task_token(self, claim_id: str, token: str) -> None:
        """Store the waiting execution's token while the claim is still open (ClaimClosedError)."""
        ...

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        """Claim the right to send this stage on this channel.

        One conditional transaction: the claim must still be contactable and no delivery may
        exist for the same stage and channel. Raises ClaimClosedError or AlreadyDoneError.
        """
        ...

    def reserve_notice(self, claim_id: str, key: str) -> None: ...
    def complete_delivery(
        self, claim_id: str, tenant_id: str, stage: str, channel: str, provider_id: str, event: Event
    ) -> None: ...
    def release_delivery(self, claim_id: str, tenant_id: str, stage: str, channel: str, event: Event) -> None: ...
    def events(self, claim_id: str) -> list[Event]: ...
    def append(self, claim_id: str, tenant_id: str, event: Event) -> None: ...
    def find_by_external_id(self, tenant_id: str, external_id: str) -> str | None: ...
    def find_by_pay_token(self, token_hash: str) -> str | None: ...
    def find_by_payment_reference(self, reference: str) -> str | None:
        """The claim whose payment reference this is, of any tenant: callers check the tenant."""
        ...

    def find_by_provider_reference(self, provider: str, reference: str) -> str | None:
        """The claim a PSP payment (Stripe payment intent, Adyen pspReference) was applied to."""
        ...

    def payments(self, claim_id: str) -> list[dict[str, Any]]: ...


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


@dataclass(frozen=True)
class PaymentEvent:
    """A verified PSP webhook event that moves money for a claim."""

    event_id: str  # the provider's event id: the idempotency key for money
    claim_id: str
    amount: int  # minor units; positive for payments, negative for refunds
    currency: str
    kind: str  # "payment" | "refund" | "chargeback"
    provider_reference: str  # payment intent / charge / payment id


class CheckoutProvider(Protocol):
    def create_checkout(self, request: CheckoutRequest) -> str:
        """Create a hosted checkout and return the URL to send the debtor to."""
        ...


class EndpointRepository(Protocol):
    """A tenant's outbound webhook endpoints."""

    def add(self, endpoint: Endpoint) -> None: ...
    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        """NotFoundError when the tenant has no such endpoint."""
        ...

    def for_tenant(self, tenant_id: str) -> list[Endpoint]: ...
    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        """NotFoundError when the tenant has no such endpoint."""
        ...


@dataclass(frozen=True)
class DeliveryPage:
    items: list[Delivery]
    cursor: str | None


class DeliveryRepository(Protocol):
    """Outbound webhook deliveries with their attempts."""

    def add(self, delivery: Delivery) -> Delivery | None:
        """Store a new delivery and return it as stored; None when it exists already (a stream batch read twice)."""
        ...

    def get(self, tenant_id: str, delivery_id: str) -> Delivery:
        """NotFoundError when the tenant has no such delivery."""
        ...

    def save(self, delivery: Delivery) -> Delivery:
        """Write if nobody changed it since it was read (ConflictError otherwise); returns the new version."""
        ...

    def page(
        self, tenant_id: str, status: str | None, endpoint_id: str | None, cursor: str | None, limit: int
    ) -> DeliveryPage:
        """Newest first; InvalidInputError("cursor") for a cursor this tenant was not given."""
        ...


class DeliveryQueue(Protocol):
    def enqueue(self, message: DeliveryMessage, delay_seconds: int) -> None:
        """Send one attempt's message, visible after `delay_seconds` (0 to 900)."""
        ...

    def park(self, message: DeliveryMessage, reason: str) -> None:
        """Put a message whose attempts are used up into the dead-letter queue."""
        ...


@dataclass(frozen=True)
class PostOutcome:
    status_code: int | None  # None when no HTTP answer came (timeout, refused, blocked address)
    error: str | None
    duration_ms: int


class WebhookPoster(Protocol):
    def vet(self, url: str) -> None:
        """Refuse a URL whose host resolves to a non-public address (InvalidInputError("url"))."""
        ...

    def post(self, url: str, secret: str, message_id: str, body: str) -> PostOutcome:
        """POST the body signed per Standard Webhooks; never raises for the receiver's failures."""
        ...


@dataclass(frozen=True)
class EntryPage:
    items: list[BankEntry]
    cursor: str | None


class BankEntryRepository(Protocol):
    """Credit and reversal entries of imported bank statements, and which statement files were imported."""

    def get(self, tenant_id: str, entry_id: str) -> BankEntry | None: ...
    def add(self, entry: BankEntry) -> bool:
        """Store a new entry; False when it exists already (imported before, or by a concurrent import).

        A credit is also filed under its transfer keys (Credit.transfer_keys), for the reversal that may follow.
        """
        ...

    def credits_sharing(self, tenant_id: str, transfer_keys: Sequence[str]) -> list[str]:
        """Ids of the tenant's imported credits filed under any of these keys: what a reversal may take back."""
        ...

    def start_applying(
        self, tenant_id: str, entry_id: str, allocations: tuple[Allocation, ...], method: str
    ) -> BankEntry:
        """Take an entry off the review list to apply it: only if it still waits for review (ConflictError)."""
        ...

    def finish(self, tenant_id: str, entry_id: str, status: EntryStatus) -> BankEntry:
        """Mark an applying entry matched or assigned once its payments are recorded."""
        ...

    def review_page(self, tenant_id: str, cursor: str | None, limit: int) -> EntryPage: ...
    def statement_imported(self, tenant_id: str, digest: str) -> str | None:
        """The statement id of a file with this sha256 imported before, or None."""
        ...

    def remember_statement(self, tenant_id: str, digest: str, statement_id: str) -> None: ...


class StatementStore(Protocol):
    def read(self, bucket: str, key: str) -> bytes:
        """An uploaded statement file (NotFoundError when gone, TransientError when the store is busy)."""
        ...
