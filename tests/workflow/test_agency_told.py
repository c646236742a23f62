"""The real state machine hands the claim over; what the debtor pays afterwards reaches the agency."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.workflow


def test_a_payment_after_the_ladders_hand_over_reaches_the_agency_once(harness: Harness) -> None:
    # GIVEN a claim the ladder handed over to the agency
    claim = harness.create_claim()
    assert harness.wait_until_finished(claim["id"], timeout=40) == "SUCCEEDED"
    assert harness.claim(claim["id"])["status"] == "handed_over"
    [document] = harness.agency.received

    # WHEN the debtor pays all of it to the merchant after all
    balance = harness.claim(claim["id"])["balance"]
    paid = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": balance, "reference": "late"})
    assert paid.status_code == 201, paid.body
    harness.pump_events()
    harness.pump_events()  # nothing more on a second pass

    # THEN the agency holds the claim and learns it is paid, each update once
    updates = harness.agency.updates_of(claim["id"])
    assert [(u.type, u.claim["balance"], u.claim["status"]) for u in updates] == [
        ("payment.received", 0, "paid"),
        ("claim.paid", 0, "paid"),
    ]
    assert {u.handover_id for u in updates} == {document["handover_id"]}
    assert harness.agency.update_attempts == 2
