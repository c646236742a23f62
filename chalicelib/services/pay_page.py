"""What the debtor sees behind a pay link: the claim explained, and what they can do about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.claim import Claim
from chalicelib.domain.decisions import Action, plan_next_step
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.languages import SUPPORTED, written_in
from chalicelib.domain.tenant import Tenant, hash_secret

if TYPE_CHECKING:
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, TenantRepository, TimelineRepository


class PayLinkNotFoundError(NotFoundError):
    """Unknown, guessed or expired: the page says nothing more than "not found"."""


@dataclass(frozen=True)
class NextStep:
    stage: str
    channels: tuple[str, ...]
    on: date


@dataclass(frozen=True)
class PayPage:
    claim: Claim
    tenant: Tenant
    language: str
    history: tuple[Event, ...]  # messages sent, payments and agreements, oldest first
    charges: tuple[Event, ...]  # charges.added events: fees and interest with their reasons
    next_step: NextStep | None
    today: date

    @property
    def settled(self) -> bool:
        return self.claim.closed or self.claim.ledger.balance == 0


_HISTORY = {
    EventType.MESSAGE_SENT,
    EventType.PAYMENT_RECEIVED,
    EventType.CLAIM_PAID,
    EventType.CLAIM_CANCELLED,
    EventType.CLAIM_HANDED_OVER,
}


def open_pay_page(
    token: str,
    claims: ClaimRepository,
    timeline: TimelineRepository,
    tenants: TenantRepository,
    clock: VirtualClock,
    language: str | None = None,
) -> PayPage:
    """The page for a token; a closed claim's link lives on for the tenant's grace days, then dies."""
    claim_id = claims.find_by_pay_token(hash_secret(token)) if 20 <= len(token) <= 100 else None
    if claim_id is None:
        raise PayLinkNotFoundError("no such payment link")
    claim = claims.get(claim_id)
    tenant = tenants.get(claim.tenant_id)
    now = clock.now()
    if claim.closed_at is not None and now > claim.closed_at + timedelta(days=tenant.pay_link_days_after_close):
        raise PayLinkNotFoundError("no such payment link")
    events = timeline.events(claim_id)
    chosen = language if language in SUPPORTED else claim.debtor.language  # the page's switch, else the debtor's
    return PayPage(
        claim=claim,
        tenant=tenant,
        language=written_in(chosen),
        history=tuple(
            e for e in events if e.type in _HISTORY or e.type.startswith(("promise.", "dispute.", "pause.", "plan."))
        ),
        charges=tuple(e for e in events if e.type == EventType.CHARGES_ADDED),
        next_step=_next_step(claim, clock),
        today=now.date(),
    )


def _next_step(claim: Claim, clock: VirtualClock) -> NextStep | None:
    plan = plan_next_step(claim, clock.now())
    if plan.action != Action.CONTACT or plan.stage is None or plan.send_at is None:
        return None
    return NextStep(plan.stage.name, tuple(str(c) for c in plan.channels), plan.send_at.date())


def page_json(page: PayPage, girocode_payload: str | None) -> dict[str, Any]:
    """The page as JSON, so a shop can build its own: the same facts, the same actions."""
    claim, tenant, ledger = page.claim, page.tenant, page.claim.ledger
    return {
        "language": page.language,
        "creditor": {
            "name": tenant.name,
            "address": tenant.address,
            "support_email": tenant.support_email,
            "support_phone": tenant.branding.support_phone,
            "logo_url": tenant.branding.logo_url or None,
            "color": tenant.branding.color,
            "imprint_url": tenant.branding.imprint_url or None,
            "privacy_url": tenant.branding.privacy_url or None,
        },
        "claim": {
            "reference": claim.external_id,
            "description": claim.description,
            "invoice_date": claim.invoice_date.isoformat() if claim.invoice_date else None,
            "due_date": claim.due_date.isoformat(),
            "status": str(claim.status),
            "settled": page.settled,
        },
        "amounts": {
            "currency": ledger.currency,
            "principal": ledger.principal,
            "fees": [fee for e in page.charges for fee in e.data.get("fees", [])],
            "interest": [period for e in page.charges for period in e.data.get("interest", [])],
            "paid": ledger.paid,
            "balance": ledger.balance,
        },
        "next_step": (
            {
                "stage": page.next_step.stage,
                "channels": list(page.next_step.channels),
                "date": page.next_step.on.isoformat(),
            }
            if page.next_step and not page.settled
            else None
        ),
        "history": [{"type": str(e.type), "at": e.at.isoformat(), **_public(e)} for e in page.history],
        "bank_transfer": None if page.settled else _bank_transfer(page, girocode_payload),
        "agreement": claim.agreement.to_dict() if claim.agreement else None,
    }


def _bank_transfer(page: PayPage, girocode_payload: str | None) -> dict[str, Any] | None:
    account = page.tenant.bank_account
    if not account:
        return None
    return {
        "holder": account.get("holder"),
        "iban": account.get("iban"),
        "bic": account.get("bic"),
        "reference": page.claim.payment_reference,
        "amount": page.claim.ledger.balance,
        "girocode": girocode_payload,
    }


def _public(event: Event) -> dict[str, Any]:
    """Only what the debtor needs: channel and stage of messages, amounts of payments; no addresses."""
    keep = ("channel", "stage", "amount", "date", "count", "reason")
    return {k: v for k, v in event.data.items() if k in keep}
