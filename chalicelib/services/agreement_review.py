"""When an agreement's date comes: a promise kept or missed, an instalment due or late, a pause over."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.domain.agreement import InstalmentPlan, Pause, Promise
from chalicelib.domain.agreements import AgreementRules
from chalicelib.domain.claim import Status
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.instalments import PlanAction
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.notices import Notices
    from chalicelib.services.ports import ClaimRepository, TenantRepository


def review_agreement(
    claim_id: str,
    tenant_id: str,
    claims: ClaimRepository,
    tenants: TenantRepository,
    notices: Notices,
    clock: VirtualClock,
) -> str:
    """Decide, tell the debtor, then record the decision.

    The notice goes (or is queued for the contact window) before the decision is written: if the write, or
    the queue, fails, the retried review decides the same again and the notice's key sends nothing twice.
    Told after the write, a failure in between would lose the notice, since the retried review finds nothing
    left to decide. The planner wakes the review inside the debtor's contact window.
    """
    tenant = tenants.get(tenant_id)
    outcome: dict[str, Any] = {}

    def attempt() -> Claim:
        claim = claims.get(claim_id, tenant_id)
        updated, events, notice = _decide(claim, tenant, clock)
        outcome["notice"] = notice
        if notice:
            kind, key, facts = notice
            notices.send(kind, updated, tenant, key, **facts)
        if updated is claim:
            return claim
        return claims.update(updated, events)

    on_conflict(attempt)
    notice = outcome.get("notice")
    return str(notice[0]) if notice else "nothing_due"


Notice = tuple[str, str, dict[str, Any]]


def _decide(claim: Claim, tenant: Tenant, clock: VirtualClock) -> tuple[Claim, list[Event], Notice | None]:
    agreement, today, now = claim.agreement, clock.today(), clock.now()
    if claim.closed or claim.ledger.settled:
        return claim, [], None
    if isinstance(agreement, Promise) and today >= agreement.deadline:
        promised = agreement.date.isoformat()
        broken = _back_to_ladder(claim)
        notice = ("promise_missed", f"promise-missed:{promised}", {"promise_date": promised})
        return broken, [Event(EventType.PROMISE_BROKEN, now, {"date": promised})], notice
    if isinstance(agreement, Pause) and today >= agreement.until:
        return replace(claim, agreement=None), [Event(EventType.PAUSE_ENDED, now, {})], None
    if isinstance(agreement, InstalmentPlan):
        return _review_plan(claim, agreement, AgreementRules.from_dict(tenant.agreement_rules), clock)
    return claim, [], None


def _review_plan(
    claim: Claim, plan: InstalmentPlan, rules: AgreementRules, clock: VirtualClock
) -> tuple[Claim, list[Event], Notice | None]:
    now = clock.now()
    state = plan.standing(claim.ledger.paid, clock.today(), rules)
    if state.action == PlanAction.BROKEN:
        event = Event(EventType.PLAN_BROKEN, now, {"balance": claim.ledger.balance})
        return _back_to_ladder(claim), [event], ("plan_broken", "plan-broken", {})
    carried = plan.counted(state)
    updated = replace(claim, agreement=carried)
    if state.action == PlanAction.REMIND_LATE and state.overdue is not None:
        late = state.overdue
        new_date = date.fromisoformat(state.late_grace_until or late.due.isoformat())
        event = Event(EventType.PLAN_INSTALMENT_LATE, now, {"count": late.number, "amount": late.amount})
        facts = {"instalment": late, "deadline": new_date}
        return updated, [event], ("instalment_late", f"instalment-late:{late.number}", facts)
    if state.action == PlanAction.REMIND_UPCOMING and state.next_due is not None:
        upcoming = state.next_due
        return updated, [], ("instalment_upcoming", f"instalment-upcoming:{upcoming.number}", {"instalment": upcoming})
    if carried == plan:
        return claim, [], None
    return updated, [], None


def _back_to_ladder(claim: Claim) -> Claim:
    """The ladder resumes where it left off, one step firmer; the agreement is over."""
    status = Status.DUNNING if claim.status != Status.OPEN or claim.next_stage_index else Status.OPEN
    resumed = claim.transition(status) if claim.status != status else claim
    return replace(resumed, agreement=None, tone_boost=claim.tone_boost + 1)
