"""The operator's doctor against moto: it names what is wrong, exits non-zero, and --repair mends it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from chalicelib import bootstrap, doctor
from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration


def sweep(harness: Harness, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = doctor.main(["--stage", "local", "--tenant", "demo", "--settle", "0", *args])
    # The command builds the composition root afresh, as it does for an operator; the harness's fake agency
    # goes back in for the executions that run on in this process.
    harness.app = bootstrap.reset({"agency": harness.agency})
    return code, capsys.readouterr().out


def test_a_dunned_claim_whose_execution_failed_is_found_and_its_ladder_run_again(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a claim whose hand-over the agency refused: its execution failed, the claim is still dunned
    harness.agency.refuse()
    claim = harness.create_claim()
    assert harness.wait_until_finished(claim["id"], timeout=120) == "FAILED"

    # WHEN the operator runs the doctor, then lets it repair
    found, report = sweep(harness, capsys)
    repaired, repairs = sweep(harness, capsys, "--repair")

    # THEN it named the claim and its execution, and the repair ran the claim's ladder on in the next execution
    assert found == 1
    assert f"demo/{claim['id']} (dunning): no execution runs its ladder; executions: {claim['id']}=FAILED" in report
    assert repaired == 1
    assert f"→ started {claim['id']}-g1" in repairs
    wait_for(lambda: harness.claim(claim["id"])["status"] == "handed_over", timeout=120)
    assert sweep(harness, capsys) == (0, "0 finding(s) in 1 tenant(s)\n")
