"""How claims look to the merchant over the API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.services.pay_tokens import pay_url

if TYPE_CHECKING:
    from chalicelib.bootstrap import Container
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event


def claim_view(claim: Claim, app: Container, events: list[Event] | None = None) -> dict[str, Any]:
    ledger = claim.ledger
    next_stage = claim.stages[claim.next_stage_index] if claim.next_stage_index < len(claim.stages) else None
    view: dict[str, Any] = {
        "id": claim.claim_id,
        "external_id": claim.external_id,
        "status": str(claim.status),
        "stage": claim.stage,
        "next_stage": next_stage.name if next_stage and not claim.closed else None,
        "currency": ledger.currency,
        "amount": ledger.principal,
        "fees": ledger.fees,
        "interest": ledger.interest,
        "paid": ledger.paid,
        "balance": ledger.balance,
        "overpaid": ledger.overpaid,
        "due_date": claim.due_date.isoformat(),
        "invoice_date": claim.invoice_date.isoformat() if claim.invoice_date else None,
        "description": claim.description,
        "payment_reference": claim.payment_reference,
        "pay_url": pay_url(app.settings.public_base_url, app.pay_token_secret, claim.claim_id),
        "segment": str(claim.segment),
        "debtor": {
            "name": claim.debtor.name,
            "email": claim.debtor.email,
            "phone": claim.debtor.phone,
            "language": claim.debtor.language,
            "kind": str(claim.debtor.kind),
            "country": claim.debtor.country,
            "customer_since": claim.debtor.customer_since.isoformat() if claim.debtor.customer_since else None,
        },
        "agreement": claim.agreement.to_dict() if claim.agreement else None,
        "created_at": claim.created_at.isoformat(),
    }
    if events is not None:
        view["timeline"] = [e.to_dict() for e in events]
    return view
