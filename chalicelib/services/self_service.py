"""The debtor's own answers on the pay page: pay now, promise a date, instalments, dispute, pause, write.

Every action is checked against the tenant's rules, changes the claim and its status in one
conditional write, appends an event, resumes the waiting execution so the ladder hears of it at
once, and is confirmed to the debtor by email. Submitting the same thing twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.agreement import Agreement, Dispute, InstalmentPlan, Pause, Promise
from chalicelib.domain.agreements import AgreementRules
from chalicelib.domain.claim import Status
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.disputes import validate_dispute
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.instalments import Instalment, instalment_schedule, max_instalments_for, next_wake
from chalicelib.domain.pay_actions import PayAction
from chalicelib.domain.promises import promise_deadline, validate_pause, validate_promise
from chalicelib.services.notices import Notices
from chalicelib.services.ports import (
    CheckoutProvider,
    CheckoutRequest,
    ClaimRepository,
    TimelineRepository,
    WorkflowClient,
)
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.claim import Claim
    from chalicelib.services.pay_page import PayPage

MAX_MESSAGE = 2000


@dataclass(frozen=True)
class SelfServicePorts:
    """What the debtor's actions need, and nothing more; bootstrap builds it (Container.self_service)."""

    claims: ClaimRepository
    timeline: TimelineRepository
    workflow: WorkflowClient
    notices: Notices
    clock: VirtualClock
    checkout: CheckoutProvider | None  # None: no card payment on this stage
    public_base_url: str  # where the checkout sends the debtor back to


def rules_of(page: PayPage) -> AgreementRules:
    return AgreementRules.from_dict(page.tenant.agreement_rules)


def act(page: PayPage, token: str, action: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    if page.settled:
        raise InvalidInputError("claim", "this claim is settled: there is nothing left to do")
    return _HANDLERS[PayAction(action)](page, token, data, app)


def _checkout(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    if app.checkout is None:
        raise InvalidInputError("checkout", "card payment is not available for this claim: please pay by transfer")
    claim = page.claim
    back = f"{app.public_base_url}/pay/{token}?lang={page.language}"
    url = app.checkout.create_checkout(
        CheckoutRequest(
            claim_id=claim.claim_id,
            tenant_id=claim.tenant_id,
            amount=claim.ledger.balance,
            currency=claim.ledger.currency,
            description=f"{claim.external_id} – {page.tenant.name}",
            customer_email=claim.debtor.email,
            language=page.language,
            success_url=f"{back}&done=paid",
            cancel_url=f"{back}&done=checkout_cancelled",
        )
    )
    return {"url": url}


def _promise(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    rules, today = rules_of(page), app.clock.today()
    promised = validate_promise(_date(data.get("date"), "date"), today, rules)
    agreement = Promise(promised, promise_deadline(promised, rules))
    claim = _agree(page, Status.PROMISED, agreement, EventType.PROMISE_MADE, {"date": promised.isoformat()}, app)
    app.notices.send("promise_confirmed", claim, page.tenant, f"promise:{promised}", promise_date=promised)
    return _agreed(claim)


def preview_instalments(page: PayPage, wanted: Any, clock: VirtualClock) -> tuple[Instalment, ...]:
    count = _int(wanted, "count")
    return instalment_schedule(page.claim.ledger.balance, count, clock.today(), rules_of(page))


def _instalments(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    rules, today = rules_of(page), app.clock.today()
    schedule = preview_instalments(page, data.get("count"), app.clock)
    agreement = InstalmentPlan(schedule, page.claim.ledger.paid, next_wake(schedule, today, rules))
    claim = _agree(page, Status.INSTALMENTS, agreement, EventType.PLAN_AGREED, {"count": len(schedule)}, app)
    app.notices.send("plan_confirmed", claim, page.tenant, f"plan:{len(schedule)}", schedule=schedule)
    return _agreed(claim)


def _dispute(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    reason, message = validate_dispute(str(data.get("reason") or ""), str(data.get("message") or ""))
    opened = Dispute(reason, message, app.clock.today())
    claim = _agree(
        page, Status.DISPUTED, opened, EventType.DISPUTE_OPENED, {"reason": str(reason), "message": message}, app
    )
    app.notices.send("dispute_received", claim, page.tenant, "dispute", dispute_reason=str(reason))
    return _agreed(claim)


def _pause(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    taken = sum(1 for e in page.history if e.type == EventType.PAUSE_GRANTED)
    days = _int(data["days"], "days") if data.get("days") not in (None, "") else None
    until = validate_pause(str(data.get("reason") or ""), days, taken, app.clock.today(), rules_of(page))
    paused = Pause(until, str(data.get("reason")).strip())
    claim = _agree(page, None, paused, EventType.PAUSE_GRANTED, {"date": until.isoformat()}, app)
    app.notices.send("pause_granted", claim, page.tenant, "pause", pause_until=until)
    return _agreed(claim)


def _contact(page: PayPage, token: str, data: dict[str, Any], app: SelfServicePorts) -> dict[str, Any]:
    message = str(data.get("message") or "").strip()
    if not 1 <= len(message) <= MAX_MESSAGE:
        raise InvalidInputError("message", f"write 1 to {MAX_MESSAGE} characters")
    event = Event(EventType.DEBTOR_MESSAGE, app.clock.now(), {"message": message})
    app.timeline.append(page.claim.claim_id, page.claim.tenant_id, event)
    key = "contact:" + hashlib.sha256(message.encode()).hexdigest()[:16]
    status = app.notices.send("contact_forwarded", page.claim, page.tenant, key, to_merchant=True, message=message)
    return {"status": "sent" if status != "failed" else "recorded"}


def _agree(
    page: PayPage,
    status: Status | None,
    agreement: Agreement,
    kind: EventType,
    data: dict[str, Any],
    app: SelfServicePorts,
) -> Claim:
    """Put the agreement in force (or find it already there: a repeated submission), then wake the ladder."""

    def attempt() -> Claim:
        claim = app.claims.get(page.claim.claim_id)
        current = claim.agreement
        if agreement.same_terms(current):
            return claim  # the same submission again
        if current is not None and not isinstance(agreement, Dispute):
            raise InvalidInputError(str(agreement.kind), f"a {current.kind} is already in force")
        moved = claim.transition(status) if status is not None and status != claim.status else claim
        changed = replace(moved, agreement=agreement)
        return app.claims.update(changed, [Event(kind, app.clock.now(), data)])

    claim = on_conflict(attempt)
    if claim.task_token:
        app.workflow.notify(claim.task_token, {"type": str(agreement.kind)})
    return claim


def _agreed(claim: Claim) -> dict[str, Any]:
    """The answer to an agreement action: the claim's status and the agreement now in force."""
    return {"status": str(claim.status), "agreement": claim.agreement.to_dict() if claim.agreement else None}


_HANDLERS: dict[PayAction, Callable[[PayPage, str, dict[str, Any], SelfServicePorts], dict[str, Any]]] = {
    PayAction.CHECKOUT: _checkout,
    PayAction.PROMISE: _promise,
    PayAction.INSTALMENTS: _instalments,
    PayAction.DISPUTE: _dispute,
    PayAction.PAUSE: _pause,
    PayAction.CONTACT: _contact,
}


def form_limits_data(page: PayPage, clock: VirtualClock, can_checkout: bool = True) -> dict[str, Any]:
    rules, today = rules_of(page), clock.today()
    in_force = page.claim.agreement is not None
    max_count = max_instalments_for(page.claim.ledger.balance, rules)
    paused_before = any(e.type == EventType.PAUSE_GRANTED for e in page.history)
    return {
        "promise_min": today + timedelta(days=1),
        "promise_max": today + timedelta(days=rules.promise_max_days),
        "instalment_counts": () if in_force or max_count < 2 else tuple(range(2, max_count + 1)),
        "pause_available": not in_force and not paused_before and rules.pauses_per_claim > 0,
        "pause_max_days": rules.pause_max_days,
        "checkout_available": can_checkout and not page.settled,
    }


def form_limits(page: PayPage, clock: VirtualClock, can_checkout: bool = True) -> Any:
    from chalicelib.web.render import FormLimits

    return FormLimits(**form_limits_data(page, clock, can_checkout))


def limits_json(page: PayPage, clock: VirtualClock, can_checkout: bool = True) -> dict[str, Any]:
    data = form_limits_data(page, clock, can_checkout)
    return {
        k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v) for k, v in data.items()
    }


def girocode(page: PayPage) -> str | None:
    """The EPC payload for the balance, or None where a transfer QR makes no sense (settled, no account, not EUR)."""
    from chalicelib.domain.bank_account import CreditorAccount
    from chalicelib.web.girocode import epc_payload

    account = page.tenant.bank_account
    if page.settled or not account.get("iban") or page.claim.ledger.currency != "EUR":
        return None
    creditor = CreditorAccount(account.get("holder") or page.tenant.name, account["iban"], account.get("bic") or None)
    return epc_payload(creditor, page.claim.ledger.balance, "EUR", page.claim.payment_reference, None)


def girocode_svg(page: PayPage) -> str | None:
    from chalicelib.web.girocode import girocode_svg as render

    payload = girocode(page)
    return render(payload) if payload else None


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInputError(field, "a date as YYYY-MM-DD is required") from exc


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not str(value).strip().isdecimal():
        raise InvalidInputError(field, "a whole number is required")
    return int(str(value).strip())
