"""The doctor: claims whose status and workflow disagree, found by status and the executions' names, and repaired.

Two things must never be: a claim whose ladder is alive (open, dunning, promised, instalments, disputed, with
something left to do) but no execution of its current run is RUNNING, so nothing will ever be sent or reviewed; and
a closed claim (paid, cancelled, handed over) with an execution still RUNNING. Claims are read by status through
the by_tenant_status index; executions are described by their names, `<claim>`, `<claim>-g<n>` and
`<claim>-r<n>[-g<k>]`, without listing the state machine's executions.

A claim is looked at twice: the moments between a claim's change and its execution's answer (a claim just created,
a run just re-opened) are not findings, so only what still holds after `settle` seconds is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.claim import CLOSED, Claim, Status
from chalicelib.domain.decisions import Action, plan_next_step
from chalicelib.services.ports import REOPENED_RUN, execution_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import ClaimRepository, WorkflowClient

RUNNING = "RUNNING"
LIVE: tuple[Status, ...] = tuple(s for s in Status if s not in CLOSED)
ALL_STATUSES: tuple[Status, ...] = (*LIVE, *sorted(CLOSED))
PAGE = 100
SETTLE_SECONDS = 5.0


class Problem(StrEnum):
    NO_EXECUTION = "no_execution"  # its ladder is alive, and nothing runs it
    STILL_RUNNING = "still_running"  # it is closed, and an execution still runs


@dataclass(frozen=True)
class Finding:
    claim_id: str
    tenant_id: str
    status: str
    problem: Problem
    run: int  # the claim's current run: how often a refund or chargeback re-opened it
    executions: dict[int, str] = field(default_factory=dict)  # generation → status, of every run of the claim

    def describe(self) -> str:
        names = ", ".join(f"{execution_name(self.claim_id, g)}={s}" for g, s in sorted(self.executions.items()))
        names = names or "none"
        what = "no execution runs its ladder" if self.problem == Problem.NO_EXECUTION else "an execution still runs"
        return f"{self.tenant_id}/{self.claim_id} ({self.status}): {what}; executions: {names}"


def sweep(
    tenant_ids: Iterable[str],
    claims: ClaimRepository,
    workflow: WorkflowClient,
    clock: VirtualClock,
    settle: float = SETTLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Finding]:
    """Every claim of these tenants whose status and executions disagree, and still do `settle` seconds later."""
    first = [f for claim in _claims(tenant_ids, claims) if (f := examine(claim, workflow, clock)) is not None]
    if not first:
        return []
    sleep(settle)
    confirmed = (examine(claims.get(f.claim_id, f.tenant_id), workflow, clock) for f in first)
    return [f for f in confirmed if f is not None]


def examine(claim: Claim, workflow: WorkflowClient, clock: VirtualClock) -> Finding | None:
    executions = executions_of(claim, workflow)
    running = [g for g, status in executions.items() if status == RUNNING]
    if claim.closed:
        problem = Problem.STILL_RUNNING if running else None
    else:
        current = [g for g in running if g // REOPENED_RUN == claim.reopened]
        alive = plan_next_step(claim, clock.now()).action != Action.FINISH
        problem = Problem.NO_EXECUTION if alive and not current else None
    if problem is None:
        return None
    return Finding(claim.claim_id, claim.tenant_id, str(claim.status), problem, claim.reopened, executions)


def executions_of(claim: Claim, workflow: WorkflowClient) -> dict[int, str]:
    """The status of every execution the claim has had: each run's first, then its continuations, by name."""
    found: dict[int, str] = {}
    for run in range(claim.reopened + 1):
        generation = REOPENED_RUN * run
        while (status := workflow.status(claim.claim_id, generation)) is not None:
            found[generation] = status
            generation += 1
    return found


def repair(finding: Finding, workflow: WorkflowClient) -> str:
    """The safe remedy: stop what runs for a closed claim; start the next execution of a live claim's current run.

    Both are idempotent. A stopped execution of a closed claim would only have ended by itself; the started one
    plans from where the claim stands, and its messages are reserved once per stage and channel, so none repeats.
    """
    if finding.problem == Problem.STILL_RUNNING:
        running = [g for g, status in finding.executions.items() if status == RUNNING]
        for generation in running:
            workflow.stop(finding.claim_id, generation, f"doctor: the claim is {finding.status}")
        return "stopped " + ", ".join(execution_name(finding.claim_id, g) for g in running)
    current = [g for g in finding.executions if g // REOPENED_RUN == finding.run]
    generation = max(current) + 1 if current else REOPENED_RUN * finding.run
    workflow.start(finding.claim_id, finding.tenant_id, generation)
    return f"started {execution_name(finding.claim_id, generation)}"


def _claims(tenant_ids: Iterable[str], claims: ClaimRepository) -> Iterator[Claim]:
    for tenant_id in tenant_ids:
        for status in ALL_STATUSES:
            cursor: str | None = None
            while True:
                page = claims.page(tenant_id, str(status), cursor, PAGE)
                yield from page.items
                if page.cursor is None:
                    break
                cursor = page.cursor
