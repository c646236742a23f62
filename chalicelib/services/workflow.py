"""The steps of the dunning state machine that decide and record: plan, wait, complete a stage."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.decisions import Action, plan_next_step
from chalicelib.domain.errors import ClaimClosedError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.ladder import Channel
from chalicelib.observability import logger
from chalicelib.services.ports import REOPENED_RUN
from chalicelib.services.retries import on_conflict

if TYPE_CHECKING:
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, TaskTokenRepository, WorkflowClient

# While an agreement or dispute holds the ladder, look again after this many strategy days
# even if no event arrives (an event normally ends the wait much earlier).
HOLD_RECHECK_DAYS = 1.0
_STATE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.LETTER, Channel.AGENCY)


@dataclass(frozen=True)
class Lifetime:
    """Where the execution stands against its limits: it hands over before reaching them."""

    generation: int
    steps: int
    started: datetime  # real time
    max_steps: int
    max_days: float

    def exhausted(self, real_now: datetime) -> bool:
        return self.steps >= self.max_steps or real_now - self.started >= timedelta(days=self.max_days)


def plan(
    claim_id: str,
    tenant_id: str,
    claims: ClaimRepository,
    clock: VirtualClock,
    lifetime: Lifetime | None = None,
    workflow: WorkflowClient | None = None,
    task_tokens: TaskTokenRepository | None = None,
) -> dict[str, Any]:
    """The execution's next move, shaped for the state machine's Choice states.

    A run that a re-opening replaced gives way to the new one (`continued`); a run that finishes leaves no token.
    """
    claim = claims.get(claim_id, tenant_id)
    decision = plan_next_step(claim, clock.now())
    if decision.action == Action.HOLD and decision.until is not None and clock.wait_seconds_until(decision.until) == 0:
        # Step Functions waits whole seconds only: the fraction left before an agreement's date is waited here,
        # so a review planned for 08:00 runs at 08:00 (and not a whole real second, two virtual days, later).
        clock.wait_until(decision.until)
        claim = claims.get(claim_id, tenant_id)
        decision = plan_next_step(claim, clock.now())
    state: dict[str, Any] = {"claim_id": claim_id, "tenant_id": tenant_id}
    if lifetime is not None:
        state.update(generation=lifetime.generation, steps=lifetime.steps + 1)
        if lifetime.generation // REOPENED_RUN < claim.reopened:
            logger.info("a re-opened run took over", claim_id=claim_id, run=claim.reopened)
            return {**state, "plan": {"action": "continued", "reason": f"run {claim.reopened} took over"}}
        if decision.action != Action.FINISH and workflow is not None and lifetime.exhausted(clock.real_now()):
            workflow.start(claim_id, tenant_id, lifetime.generation + 1)
            logger.info("continued in a new execution", claim_id=claim_id, generation=lifetime.generation + 1)
            return {**state, "plan": {"action": "continued", "reason": "execution limits reached"}}
    if decision.action == Action.FINISH and task_tokens is not None:
        task_tokens.clear_task_token(claim_id)
    result: dict[str, Any] = {
        "action": str(decision.action),
        "reason": decision.reason,
        "stage": None,
        "stage_index": None,
        "tone": None,
        "wait_seconds": 0,
        "send_at": None,
        "channels": dict.fromkeys(map(str, _STATE_CHANNELS), False),
    }
    if decision.action == Action.HOLD:
        recheck = clock.now() + timedelta(days=HOLD_RECHECK_DAYS)
        until = min(decision.until, recheck) if decision.until else recheck
        result["wait_seconds"] = max(1, clock.wait_seconds_until(until))
    if decision.action == Action.CONTACT and decision.stage is not None and decision.send_at is not None:
        result.update(
            stage=decision.stage.name,
            stage_index=decision.stage_index,
            tone=str(decision.tone),
            wait_seconds=clock.wait_seconds_until(decision.send_at),
            send_at=decision.send_at.isoformat(),
        )
        for channel in decision.channels:
            if channel in _STATE_CHANNELS:
                result["channels"][str(channel)] = True
    logger.info("planned next step", claim_id=claim_id, plan=result)
    return {**state, "plan": result}


def register_wait(
    claim_id: str,
    tenant_id: str,
    task_token: str,
    planned: str,
    claims: ClaimRepository,
    task_tokens: TaskTokenRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
    generation: int | None = None,
) -> None:
    """Store the token so payments, agreements and cancellations can interrupt the wait.

    An event that lands between planning and storing the token resumed an older token, which
    nobody waits on any more. So once the token is stored the plan is made again: if it changed
    (the claim closed, a promise or dispute arrived), the wait is ended here and the execution plans anew.
    Every change of the claim reads the token after it committed (ClaimRepository.update), so whichever
    comes second, the token or the change, sees the other: no wake-up is lost between the two.
    """
    run = None if generation is None else generation // REOPENED_RUN
    try:
        task_tokens.set_task_token(claim_id, task_token, run)
    except ClaimClosedError:
        # Closed, or re-opened into a newer run: this wait would never be resumed, so it ends at once.
        workflow.notify(task_token, {"type": _why_no_wait(claims.get(claim_id, tenant_id))})
        return
    claim = claims.get(claim_id, tenant_id)
    if str(plan_next_step(claim, clock.now()).action) != planned:
        workflow.notify(task_token, {"type": "replan"})


def _why_no_wait(claim: Claim) -> str:
    """The event that ends a wait the claim took no token for: its closing, or "replan" for a superseded run."""
    if claim.status == Status.PAID:
        return "paid"
    return str(claim.status) if claim.closed else "replan"


def complete_stage(
    claim_id: str, tenant_id: str, stage_index: int, claims: ClaimRepository, clock: VirtualClock
) -> str:
    """Move the claim on to its next stage; a retry of a completed stage changes nothing."""

    def attempt() -> str:
        claim = claims.get(claim_id, tenant_id)
        if claim.next_stage_index != stage_index or not claim.contactable or claim.agreement is not None:
            return "unchanged"  # a retry, or an agreement arrived mid-stage: the stage runs again after it
        updated, events = _advance(claim, clock)
        claims.update(updated, events)
        return "completed"

    return on_conflict(attempt)


def _advance(claim: Claim, clock: VirtualClock) -> tuple[Claim, list[Event]]:
    now = clock.now()
    stage = claim.stages[claim.next_stage_index]
    updated = replace(claim, stage=stage.name, next_stage_index=claim.next_stage_index + 1, stage_completed_at=now)
    if stage.offset_days > 0 and claim.default_since is None:
        updated = replace(updated, default_since=now.date() + timedelta(days=1))
    if claim.status == Status.OPEN:
        updated = updated.transition(Status.DUNNING)
    return updated, [Event(EventType.STAGE_ESCALATED, now, {"stage": stage.name, "index": claim.next_stage_index})]
