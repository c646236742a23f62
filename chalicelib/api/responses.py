"""What the API sends back, as pydantic models: the OpenAPI document is generated from them and checked against them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.claim import Status
from chalicelib.domain.disputes import DisputeReason
from chalicelib.domain.events import EventType
from chalicelib.domain.languages import SUPPORTED
from chalicelib.domain.segmentation import Segment


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable(**kwargs: Any) -> Any:
    """A key the view leaves out rather than sending null: optional in the schema, but never nullable."""
    return Field(default=None, json_schema_extra=_drop_default, **kwargs)


def _supported(code: str) -> str:
    if code not in SUPPORTED:
        raise ValueError(f"one of {', '.join(SUPPORTED)}")
    return code


MinorUnits = Annotated[int, Field(description="integer minor units, e.g. cents")]
Language = Annotated[str, AfterValidator(_supported), Field(json_schema_extra={"enum": list(SUPPORTED)})]
Uri = Annotated[str, Field(json_schema_extra={"format": "uri"})]


class _Out(BaseModel):
    """Exact shapes: additionalProperties false, so a key added to a view without its model fails the checks."""

    model_config = ConfigDict(extra="forbid")


class FieldError(_Out):
    field: str = Field(description="dotted path of the offending input, e.g. debtor.phone")
    message: str


class Problem(_Out):
    """RFC 9457 problem details: every error of the JSON API."""

    type: Uri
    title: str
    status: int
    detail: str
    errors: list[FieldError] | SkipJsonSchema[None] = omittable(description="one entry per invalid field (400)")


class DebtorOut(_Out):
    name: str
    email: str
    phone: str = Field(description="E.164")
    language: str
    kind: Literal["consumer", "business"]
    country: str
    customer_since: dt.date | None


class Instalment(_Out):
    number: int
    due: dt.date
    amount: MinorUnits


class PromiseAgreement(_Out):
    kind: Literal["promise"]
    date: dt.date
    deadline: dt.date = Field(description="the ladder resumes on this day if the promise is not kept")


class InstalmentsAgreement(_Out):
    kind: Literal["instalments"]
    schedule: list[Instalment]
    paid_at_start: MinorUnits
    wake_on: dt.date | None
    late_so_far: int
    last_late: int
    reminded_through: int
    late_grace_until: dt.date | None = None


class DisputeAgreement(_Out):
    kind: Literal["dispute"]
    reason: DisputeReason
    message: str
    opened: dt.date


class PauseAgreement(_Out):
    kind: Literal["pause"]
    until: dt.date
    reason: str


Agreement = Annotated[
    PromiseAgreement | InstalmentsAgreement | DisputeAgreement | PauseAgreement, Field(discriminator="kind")
]


class ClaimOut(_Out):
    """A claim as the merchant sees it (`claim_view`)."""

    id: str
    external_id: str
    status: Status
    stage: str | None = Field(description="the last stage of the ladder reached")
    next_stage: str | None
    currency: str
    amount: MinorUnits
    fees: MinorUnits
    interest: MinorUnits
    paid: MinorUnits
    balance: MinorUnits
    overpaid: MinorUnits
    due_date: dt.date
    invoice_date: dt.date | None
    description: str | None
    payment_reference: str = Field(description="ISO 11649 creditor reference for bank transfers")
    pay_url: Uri
    segment: Segment
    debtor: DebtorOut
    agreement: Agreement | None = Field(description="the promise, plan, dispute or pause in force")
    created_at: dt.datetime


class TimelineEvent(BaseModel):
    """One entry of the audit trail; besides id, type and at it carries the event's own facts."""

    model_config = ConfigDict(extra="allow")

    id: str
    type: EventType
    at: dt.datetime


class ClaimDetail(ClaimOut):
    timeline: list[TimelineEvent] = Field(description="every change to the claim, oldest first")


class ClaimPage(_Out):
    items: list[ClaimOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")


class Creditor(_Out):
    name: str
    address: str
    support_email: str
    support_phone: str
    logo_url: str | None
    color: str
    imprint_url: str | None
    privacy_url: str | None


class PayClaim(_Out):
    reference: str = Field(description="the merchant's invoice number")
    description: str | None
    invoice_date: dt.date | None
    due_date: dt.date
    status: Status
    settled: bool


class Fee(_Out):
    kind: str
    amount: MinorUnits


class InterestPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    percent: str | None = Field(description="yearly rate as a decimal string")
    days: int
    amount: MinorUnits


class PayAmounts(_Out):
    currency: str
    principal: MinorUnits
    fees: list[Fee]
    interest: list[InterestPeriod]
    paid: MinorUnits
    balance: MinorUnits


class NextStep(_Out):
    stage: str
    channels: list[str]
    date: dt.date


class HistoryEntry(_Out):
    """A message, payment or agreement, with only what the debtor needs: no addresses."""

    type: EventType
    at: dt.datetime
    channel: str | SkipJsonSchema[None] = omittable()
    stage: str | None = None
    amount: MinorUnits | SkipJsonSchema[None] = omittable()
    date: dt.date | SkipJsonSchema[None] = omittable()
    count: int | SkipJsonSchema[None] = omittable()
    reason: str | SkipJsonSchema[None] = omittable()


class BankTransfer(_Out):
    holder: str | None
    iban: str | None
    bic: str | None
    reference: str
    amount: MinorUnits
    girocode: str | None = Field(description="EPC QR payload (EUR only)")


class PayLimits(_Out):
    """What the page's forms accept today."""

    promise_min: dt.date
    promise_max: dt.date
    instalment_counts: list[int]
    pause_available: bool
    pause_max_days: int
    checkout_available: bool


class PayPageOut(_Out):
    """The pay page as JSON, for a shop that builds its own."""

    language: Language
    creditor: Creditor
    claim: PayClaim
    amounts: PayAmounts
    next_step: NextStep | None
    history: list[HistoryEntry]
    bank_transfer: BankTransfer | None
    agreement: Agreement | None
    limits: PayLimits


class CheckoutStarted(_Out):
    url: Uri = Field(description="the PSP's hosted checkout: send the debtor there")


class AgreementMade(_Out):
    status: Status
    agreement: Agreement


class MessageForwarded(_Out):
    status: Literal["sent", "recorded"]


class PayActionOut(RootModel[CheckoutStarted | AgreementMade | MessageForwarded]):
    """checkout → url; promise, instalments, dispute, pause → the agreement in force; contact → sent."""


class PaymentWebhookReceipt(_Out):
    """A payment provider's event: the claim it moved, if any (for the sender's delivery log)."""

    received: bool
    applied: bool = Field(description="false: ignored, or delivered before")
    kind: Literal["payment", "refund", "chargeback"] | SkipJsonSchema[None] = omittable()
    claim_id: str | SkipJsonSchema[None] = omittable()
    status: Status | SkipJsonSchema[None] = omittable()
    balance: MinorUnits | SkipJsonSchema[None] = omittable()


class ShopWebhookReceipt(_Out):
    """A shop system's order event: what was done about it, to which claim, or why nothing was."""

    received: bool
    delivery_id: str = Field(description="the shop's id of this delivery")
    action: Literal[
        "claim_created", "claim_exists", "payment_recorded", "claim_cancelled", "claim_credited", "duplicate", "ignored"
    ]
    claim_id: str | SkipJsonSchema[None] = omittable()
    status: Status | SkipJsonSchema[None] = omittable()
    balance: MinorUnits | SkipJsonSchema[None] = omittable()
    reason: str | SkipJsonSchema[None] = omittable(description="why nothing (more) was done")


class WebhookReceipt(RootModel[PaymentWebhookReceipt | ShopWebhookReceipt]):
    """Received: a payment provider's event (sandbox, stripe) or a shop system's order event."""


class OpenApiDocument(BaseModel):
    """This document (OpenAPI 3.1)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
