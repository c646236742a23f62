"""The doctor on in-memory ports: live claims nothing runs, closed claims something still runs, and the repairs."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from chalicelib.domain.claim import Status
from chalicelib.services.doctor import Problem, repair, sweep
from chalicelib.services.payments import record_payment, record_reversal
from chalicelib.services.ports import REOPENED_RUN, PaymentRecord
from tests.unit.fake_world import at_stage, hand_over, world

if TYPE_CHECKING:
    from chalicelib.services.doctor import Finding
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def findings(ports: InMemoryPorts) -> list[Finding]:
    return sweep(["shop"], ports.claims, ports.workflow, ports.clock, 0, sleep=lambda _: None)


def look(ports: InMemoryPorts) -> list[tuple[str, Problem]]:
    return [(f.claim_id, f.problem) for f in findings(ports)]


def test_claims_whose_workflow_agrees_with_their_status_are_no_finding() -> None:
    ports = world()
    running = hand_over(ports)
    paid = hand_over(ports, amount=5000)
    record_payment(paid.claim_id, "shop", PaymentRecord("m#1", 5000, "EUR", "merchant"), ports.money())
    ports.workflow.end(paid.claim_id)

    assert look(ports) == []
    assert ports.workflow.status(running.claim_id) == "RUNNING"


def test_a_live_claim_whose_execution_ended_is_found_and_repaired_by_the_next_execution() -> None:
    # GIVEN a dunned claim whose execution failed (say, the agency refused it once)
    ports = world()
    claim = at_stage(ports, hand_over(ports), "sms")
    ports.workflow.end(claim.claim_id, status="FAILED")

    [finding] = findings(ports)

    assert (finding.claim_id, finding.problem, finding.status) == (claim.claim_id, Problem.NO_EXECUTION, "dunning")
    assert f"{claim.claim_id}=FAILED" in finding.describe()
    assert repair(finding, ports.workflow) == f"started {claim.claim_id}-g1"
    assert look(ports) == []


def test_a_closed_claim_whose_execution_still_runs_is_found_and_repaired_by_stopping_it() -> None:
    ports = world()
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("m#1", 5000, "EUR", "merchant"), ports.money())

    [finding] = findings(ports)

    assert (finding.problem, finding.status) == (Problem.STILL_RUNNING, "paid")
    assert repair(finding, ports.workflow) == f"stopped {claim.claim_id}"
    assert ports.workflow.status(claim.claim_id) == "ABORTED"
    assert look(ports) == []


def test_a_re_opened_claim_needs_its_new_run_not_the_one_the_payment_ended() -> None:
    ports = world()
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("m#1", 5000, "EUR", "merchant"), ports.money())
    ports.workflow.end(claim.claim_id)
    refund = PaymentRecord("stripe#evt_r", 5000, "EUR", "stripe", data={"kind": "refund"})
    record_reversal(claim.claim_id, "shop", refund, ports.money())
    assert look(ports) == []

    ports.workflow.end(claim.claim_id, REOPENED_RUN, status="ABORTED")
    [finding] = findings(ports)

    assert repair(finding, ports.workflow) == f"started {claim.claim_id}-r1-g1"


def test_a_live_claim_with_nothing_left_to_do_needs_no_execution() -> None:
    ports = world()
    claim = hand_over(ports)
    ports.given(replace(ports.claims.get(claim.claim_id), next_stage_index=len(claim.stages), status=Status.DUNNING))
    ports.workflow.end(claim.claim_id)

    assert look(ports) == []


def test_what_mends_itself_while_the_doctor_looks_again_is_no_finding() -> None:
    # GIVEN a claim created a moment ago whose execution is only now starting
    ports = world()
    claim = hand_over(ports)
    ports.workflow.executions.clear()

    def meanwhile_it_starts(_: float) -> None:
        ports.workflow.start(claim.claim_id, "shop")

    assert sweep(["shop"], ports.claims, ports.workflow, ports.clock, 1.0, sleep=meanwhile_it_starts) == []
