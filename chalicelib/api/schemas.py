"""Request bodies of the merchant API, validated strictly: no float amounts, no coerced strings.

The new claim's body (ClaimIn) lives in chalicelib.contracts, because the generic shop webhook reads it too.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from chalicelib.contracts.strict import MinorUnits, StrictModel
from chalicelib.services.claims import NewClaim

if TYPE_CHECKING:
    from chalicelib.contracts.claims import ClaimIn


def new_claim_command(body: ClaimIn) -> NewClaim:
    return NewClaim(
        external_id=body.external_id,
        debtor=body.debtor.to_domain(),
        amount=body.amount,
        currency=body.currency,
        due_date=body.due_date,
        invoice_date=body.invoice_date,
        description=body.description,
    )


class PaymentIn(StrictModel):
    amount: MinorUnits
    reference: Annotated[str, Field(min_length=1, max_length=140)] | None = None
    paid_at: date | None = None


class RefundIn(StrictModel):
    """An over-payment the merchant paid back to the debtor (by bank transfer, say)."""

    amount: MinorUnits
    reference: Annotated[str, Field(min_length=1, max_length=140)] | None = None


class CancelIn(StrictModel):
    reason: Annotated[str, Field(max_length=500)] | None = None


class SandboxPaymentIn(StrictModel):
    claim_id: Annotated[str, Field(min_length=1, max_length=64)]
    amount: MinorUnits


class DisputeResolutionIn(StrictModel):
    outcome: Literal["uphold", "cancel", "adjust"]
    amount: MinorUnits | None = None  # adjust: the corrected, lower balance
