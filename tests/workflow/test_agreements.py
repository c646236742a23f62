"""Self-service agreements under the real state machine: each silences the ladder, and is honoured or ends."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.harness import wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.harness import Harness

pytestmark = pytest.mark.workflow


def _token(claim: dict[str, Any]) -> str:
    return str(claim["pay_url"]).rsplit("/", 1)[-1]


def _act(harness: Harness, claim: dict[str, Any], action: str, body: dict[str, Any]) -> Any:
    return harness.client.http.post(
        f"/v1/pay/{_token(claim)}/{action}", headers={"Content-Type": "application/json"}, body=json.dumps(body)
    )


def _reliable_customers_claim(harness: Harness, **overrides: Any) -> dict[str, Any]:
    """A reliable customer's claim: no pre-due nudge, its first message is the reminder after the due date."""
    return harness.create_claim(debtor={"customer_since": "2019-05-01"}, **overrides)


@contextmanager
def _after_first_reminder(harness: Harness, **overrides: Any) -> Iterator[dict[str, Any]]:
    """The claim once its first reminder went out, held before its next stage's wait while the block runs."""
    claim = _reliable_customers_claim(harness, **overrides)
    with harness.held_after_first_message(claim["id"]):
        yield claim


def test_a_missed_promise_silences_the_ladder_until_its_deadline_then_resumes_firmer(harness: Harness) -> None:
    # GIVEN a debtor who promises, after the first reminder, to pay in 5 days
    with _after_first_reminder(harness) as claim:
        promised = harness.app.clock.today() + timedelta(days=5)
        response = _act(harness, claim, "promise", {"date": promised.isoformat()})

    assert response.status_code == 200, response.body
    assert harness.claim(claim["id"])["status"] == "promised"
    # WHEN the promise date and its grace pass without payment
    wait_for(lambda: "promise_missed" in harness.notices(claim["id"]), timeout=60)
    # THEN nothing was sent between the promise and its deadline, and the ladder resumes where it left off
    sms = wait_for(lambda: [m for m in harness.outbox(claim["id"]) if m["stage"] == "sms"], timeout=60)
    deadline = promised + timedelta(days=3)
    assert date.fromisoformat(sms[0]["sent_at"][:10]) >= deadline
    # A confirmation that waited for the window until the promised day had passed is not sent any more
    events = harness.claim(claim["id"])["timeline"]
    overtaken = [e for e in events if e["type"] == "contact.skipped" and e.get("reason") == "overtaken"]
    assert [e["stage"] for e in overtaken] in ([], ["notice:promise_confirmed"])
    told = ["promise_missed"] if overtaken else ["promise_confirmed", "promise_missed"]
    assert harness.notices(claim["id"])[: len(told)] == told
    timeline = [e["type"] for e in events]
    assert timeline.index("promise.made") < timeline.index("promise.broken")


def test_a_kept_promise_ends_the_dunning(harness: Harness) -> None:
    with _after_first_reminder(harness) as claim:
        _act(harness, claim, "promise", {"date": (harness.app.clock.today() + timedelta(days=5)).isoformat()})
        harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": claim["balance"], "reference": "kept"})

    assert harness.wait_until_finished(claim["id"], timeout=60) == "SUCCEEDED"
    assert [m["stage"] for m in harness.outbox(claim["id"])] == ["reminder"]
    wait_for(lambda: "thank_you" in harness.notices(claim["id"]), timeout=15)
    # A promise made at night is confirmed in the morning, unless the debtor has paid by then: then only thanked.
    timeline = harness.claim(claim["id"])["timeline"]
    overtaken = [e for e in timeline if e["type"] == "contact.skipped" and e["stage"] == "notice:promise_confirmed"]
    expected = ["thank_you"] if overtaken else ["promise_confirmed", "thank_you"]
    assert harness.notices(claim["id"]) == expected
    assert [e["reason"] for e in overtaken] in ([], ["closed"])


def _overtaken(harness: Harness, claim: dict[str, Any]) -> list[dict[str, Any]]:
    """Reminders of an upcoming instalment that waited (for the window, or a loaded machine) until it was due."""
    timeline = harness.claim(claim["id"])["timeline"]
    skipped = [e for e in timeline if e["type"] == "contact.skipped" and e.get("reason") == "overtaken"]
    assert {e["stage"] for e in skipped} <= {"notice:instalment_upcoming"}
    return skipped


def test_a_three_instalment_plan_reminds_and_breaks_when_the_second_is_missed_twice(harness: Harness) -> None:
    # GIVEN a plan of three instalments of 30 €
    claim = _reliable_customers_claim(harness, amount=9000)
    paid: list[int] = []

    def pay_the_first_once_reminded(name: str, event: dict[str, Any]) -> None:
        # right after the review that reminded it, before the execution plans on: never late, however slow the test
        if name == "plan_next_step" and event["claim_id"] == claim["id"] and not paid:
            if "instalment_upcoming" in harness.notices(claim["id"]) or _overtaken(harness, claim):
                response = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 3000, "reference": "i-1"})
                paid.append(response.status_code)

    with harness.held_after_first_message(claim["id"]):
        response = _act(harness, claim, "instalments", {"count": 3})
        harness.dispatcher.before_invoke.append(pay_the_first_once_reminded)
    assert response.status_code == 200, response.body
    schedule = response.json_body["agreement"]["schedule"]
    assert [i["amount"] for i in schedule] == [3000, 3000, 3000]

    # WHEN the first is paid after its reminder and the second is not
    wait_for(lambda: paid, timeout=60)
    assert paid == [201]

    # THEN the second is reminded before it is due, again when late, and then the plan breaks
    wait_for(lambda: "plan_broken" in harness.notices(claim["id"]), timeout=120)
    reminders = [n for n in harness.notices(claim["id"]) if n.startswith("instalment_")]
    # A reminder may have waited for the window until its instalment was due: then it is not sent
    overtaken = _overtaken(harness, claim)
    assert len(overtaken) <= 2
    upcoming = ["instalment_upcoming"] * (2 - len(overtaken))
    assert reminders == [*upcoming, "instalment_late"]
    # AND the ladder resumes for the remaining 60 €
    view = harness.claim(claim["id"])
    assert (view["status"], view["balance"]) == ("dunning", 6000)
    sms = wait_for(lambda: [m for m in harness.outbox(claim["id"]) if m["stage"] == "sms"], timeout=60)
    assert "60,00" in sms[0]["body"]


def test_a_dispute_holds_every_message_until_the_merchant_upholds_the_claim(harness: Harness) -> None:
    with _after_first_reminder(harness) as claim:
        response = _act(harness, claim, "dispute", {"reason": "not_received", "message": "The parcel never arrived."})
    assert response.status_code == 200, response.body

    # far past the SMS and call dates: nothing goes out while disputed
    wait_for(lambda: harness.app.clock.today() > date.fromisoformat(claim["due_date"]) + timedelta(days=20), 60)
    assert [m["stage"] for m in harness.outbox(claim["id"])] == ["reminder"]

    resolved = harness.post(f"/v1/claims/{claim['id']}/dispute/resolution", {"outcome": "uphold"})

    assert resolved.status_code == 200, resolved.body
    assert resolved.json_body["status"] == "dunning"
    # The resolution's notice may wait for the morning while the resumed ladder sends first: wait for the notice.
    wait_for(lambda: "dispute_resolved" in harness.notices(claim["id"]), timeout=60)
    # (each once; both may have waited for the same morning, so their order is not the point here)
    assert sorted(harness.notices(claim["id"])) == ["dispute_received", "dispute_resolved"]


def test_a_dispute_resolved_by_cancelling_ends_the_claim(harness: Harness) -> None:
    with _after_first_reminder(harness) as claim:
        _act(harness, claim, "dispute", {"reason": "returned", "message": "I sent it back."})

    resolved = harness.post(f"/v1/claims/{claim['id']}/dispute/resolution", {"outcome": "cancel"})

    assert resolved.json_body["status"] == "cancelled"
    assert harness.wait_until_finished(claim["id"], timeout=60) == "SUCCEEDED"


def test_a_hardship_pause_holds_the_ladder_once_then_it_resumes(harness: Harness) -> None:
    with _after_first_reminder(harness) as claim:
        paused = _act(harness, claim, "pause", {"reason": "I lost my job last month.", "days": 10})
        again = _act(harness, claim, "pause", {"reason": "Another pause, please.", "days": 5})

    assert paused.status_code == 200, paused.body
    until = date.fromisoformat(paused.json_body["agreement"]["until"])
    assert again.status_code == 400
    sms = wait_for(lambda: [m for m in harness.outbox(claim["id"]) if m["stage"] == "sms"], timeout=60)
    assert date.fromisoformat(sms[0]["sent_at"][:10]) >= until


def test_invalid_agreements_are_refused_and_change_nothing(harness: Harness) -> None:
    # held after the first reminder, whose stage made the claim one in dunning: nothing else may change it now
    with _after_first_reminder(harness) as claim:
        before = harness.claim(claim["id"])
        too_late = (harness.app.clock.today() + timedelta(days=40)).isoformat()
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("promise", {"date": too_late}, "date"),
            ("promise", {"date": "soon"}, "date"),
            ("instalments", {"count": 20}, "count"),
            ("dispute", {"reason": "bored", "message": "x"}, "reason"),
        ]
        for action, body, field in cases:
            response = _act(harness, claim, action, body)
            assert response.status_code == 400, (action, response.body)
            assert response.json_body["errors"][0]["field"] == field
        view = harness.claim(claim["id"])
    assert (before["status"], before["agreement"]) == ("dunning", None)
    assert view == before


def test_a_promise_made_while_the_next_wait_begins_is_heard_and_the_skipped_stage_is_not_lost(
    harness: Harness,
) -> None:
    # GIVEN the debtor promises exactly when the execution starts waiting for its next stage
    claim = _reliable_customers_claim(harness)
    wait_for(lambda: harness.outbox(claim["id"]), timeout=60)
    caught: dict[str, Any] = {}

    def promise_as_the_wait_begins(name: str, event: dict[str, Any]) -> None:
        if name == "await_event" and event["claim_id"] == claim["id"] and event.get("planned") == "contact":
            harness.dispatcher.before_invoke.remove(promise_as_the_wait_begins)
            caught["stage"] = event["stage"]
            caught["promised"] = harness.app.clock.today() + timedelta(days=2)
            _act(harness, claim, "promise", {"date": caught["promised"].isoformat()})

    harness.dispatcher.before_invoke.append(promise_as_the_wait_begins)

    # WHEN the promise is missed
    wait_for(lambda: "promise_missed" in harness.notices(claim["id"]), timeout=60)

    # THEN the stage that was about to wait still comes, after the promised day, and the ladder keeps its order
    sent = wait_for(lambda: [m for m in harness.outbox(claim["id"]) if m["stage"] == caught["stage"]], timeout=60)
    assert date.fromisoformat(sent[0]["sent_at"][:10]) >= caught["promised"]
    ladder = ["reminder", "sms", "call", "final_notice"]
    stages = list(dict.fromkeys(m["stage"] for m in harness.outbox(claim["id"])))
    assert stages == ladder[: len(stages)], "no stage was skipped"
