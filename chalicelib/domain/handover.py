"""What a collection agency receives: everything § 13a RDG needs for its first demand (docs/law.md), and the history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .claim import Claim
    from .events import Event
    from .tenant import Tenant


def handover_id(tenant_id: str, claim_id: str) -> str:
    """Stable per claim, so the agency can drop a retried POST and file later updates under it."""
    return f"{tenant_id}-{claim_id}"


def handover_payload(
    claim: Claim, tenant: Tenant, events: list[Event], payments: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The hand-over document; `claim.version` orders it before the updates that follow (domain.agency_updates)."""
    charges = [e for e in events if e.type == "charges.added"]
    return {
        "handover_id": handover_id(tenant.tenant_id, claim.claim_id),
        "handed_over_at": now.isoformat(),
        "creditor": {"id": tenant.tenant_id, "name": tenant.name, "address": tenant.address},
        "claim": {
            "id": claim.claim_id,
            "external_id": claim.external_id,
            "description": claim.description,
            "invoice_date": claim.invoice_date.isoformat() if claim.invoice_date else None,
            "received_at": claim.created_at.isoformat(),
            "due_date": claim.due_date.isoformat(),
            "payment_reference": claim.payment_reference,
            "currency": claim.ledger.currency,
            "principal": claim.ledger.principal,
            "fees": claim.ledger.fees,
            "interest": claim.ledger.interest,
            "paid": claim.ledger.paid,
            "balance": claim.ledger.balance,
            "version": claim.version,
            "vat_note": "Reminder fees and default interest are not subject to VAT (no taxable supply).",
        },
        "charges": [e.data for e in charges],
        "debtor": {
            "name": claim.debtor.name,
            "email": claim.debtor.email,
            "phone": claim.debtor.phone,
            "kind": str(claim.debtor.kind),
            "country": claim.debtor.country,
            "language": claim.debtor.language,
        },
        "payments": payments,
        "contact_history": [e.to_dict() for e in events],
    }
