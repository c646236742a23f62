"""Every message reaches its debtor inside the contact window, under the real state machine at compressed time.

At half a second per strategy day one virtual hour is 21 ms of real time: a step that is a few milliseconds late
is an hour late. These tests run whole ladders across Christmas and New Year and read every message's time.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.contact_policy import next_allowed
from chalicelib.domain.ladder import Channel
from infra.local.contact_check import outside_the_window
from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.workflow

DAY_SECONDS = 0.5  # what `make up` runs at
# Virtual time starts on Wednesday 16 December 2026, 15:00 UTC: the ladders cross two Sundays, Christmas, Boxing
# Day and New Year, in Germany, Britain and the United States.
START = datetime(2026, 12, 16, 15, 0, tzinfo=UTC)


def start_virtual_time_at(harness: Harness, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
    """Choose the clock's epoch so that virtual now is `start`: virtual = epoch + (real - epoch) * speed."""
    speed = 86400 / DAY_SECONDS
    real = datetime.now(UTC)
    epoch = real + (real - start) / (speed - 1)
    monkeypatch.setenv("DAY_SECONDS", str(DAY_SECONDS))
    monkeypatch.setenv("CLOCK_EPOCH", epoch.isoformat())
    harness.app = bootstrap.reset({"agency": harness.agency})


def consumer(name: str, country: str, phone: str, language: str = "de") -> dict[str, Any]:
    return {"name": name, "phone": phone, "country": country, "language": language, "email": "debtor@example.com"}


def everything_sent(harness: Harness, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    harness.deliver_notices()
    ids = {c["id"] for c in claims}
    return [m for m in harness.app.outbox.list() if m["claim_id"] in ids]


def test_whole_ladders_across_christmas_send_every_message_inside_each_debtors_window(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN German consumers due on six days in a row, and debtors in Britain and New York
    start_virtual_time_at(harness, monkeypatch, START)
    today = harness.app.clock.today()
    debtors = [consumer(f"Erika Muster{n}", "DE", "+4915112345678") for n in range(6)]
    debtors += [consumer("Emily Clarke", "GB", "+447911123456", "en")]
    debtors += [consumer("Ava Miller", "US", "+12125550123", "en")]
    claims = [
        harness.create_claim(debtor=d, due_date=(today + timedelta(days=n - 2)).isoformat())
        for n, d in enumerate(debtors)
    ]
    countries = {c["id"]: c["debtor"]["country"] for c in claims}

    # WHEN their ladders run to the hand-over
    wait_for(lambda: all(_finished(harness, c["id"]) for c in claims), timeout=240, interval=0.5)

    # THEN every message (reminders, SMS, calls, final notices and letters) went out inside the debtor's window
    sent = everything_sent(harness, claims)
    assert len(sent) >= 5 * len(claims)
    assert outside_the_window(sent, countries) == []
    assert all(harness.claim(c["id"])["status"] == "handed_over" for c in claims)


def test_notices_of_the_pay_page_at_night_wait_for_the_morning_and_the_review_for_eight(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a debtor who promises on the pay page, after the first reminder, to pay in five days, and does not
    start_virtual_time_at(harness, monkeypatch, START)
    claim = harness.create_claim(debtor={"customer_since": "2019-05-01"})
    wait_for(lambda: harness.outbox(claim["id"]), timeout=30)
    promised = harness.app.clock.today() + timedelta(days=5)
    token = str(claim["pay_url"]).rsplit("/", 1)[-1]
    response = harness.client.http.post(
        f"/v1/pay/{token}/promise",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"date": promised.isoformat()}),
    )
    assert response.status_code == 200, response.body

    # WHEN the promise is missed and the ladder resumes
    wait_for(lambda: "promise_missed" in harness.notices(claim["id"]), timeout=60)
    wait_for(lambda: any(m["stage"] == "sms" for m in harness.outbox(claim["id"])), timeout=60)

    # THEN the confirmation, the "promise missed" notice and every message after went out inside the window
    sent = everything_sent(harness, [claim])
    assert [m["stage"] for m in sent if m["stage"].startswith("notice:")][:2] == [
        "notice:promise_confirmed",
        "notice:promise_missed",
    ]
    assert outside_the_window(sent, {claim["id"]: "DE"}) == []
    # AND the SMS after the broken promise is firmer, but not called a final notice
    [sms] = [m for m in sent if m["stage"] == "sms"]
    assert "Letzte Mahnung" not in sms["subject"] + sms["body"]


class LetterReservedAtNightfall:
    """The message deliveries, with the first letter's reservation returning only once the window has closed.

    It returns on an evening before a day of rest (the window then stays shut for a day and a half), so the step's
    last read of the claim, right after, certainly looks at a closed window, however loaded the machine is.
    """

    def __init__(self, inner: Any, clock: Any) -> None:
        self._inner = inner
        self._clock = clock
        self.held = False

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        self._inner.reserve_delivery(claim_id, stage, channel)
        if channel == "letter" and not self.held:
            self.held = True
            while next_allowed(self._clock.now(), Channel.LETTER, "DE") - self._clock.now() < timedelta(hours=24):
                time.sleep(0.005)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_send_step_that_finds_the_window_closed_plans_again_and_each_channel_goes_once(harness: Harness) -> None:
    # GIVEN a claim at its final notice (email and letter), whose letter reaches its provider call only at nightfall
    claim = harness.create_claim()
    slow = LetterReservedAtNightfall(harness.app.message_deliveries, harness.app.clock)
    harness.app.message_deliveries = slow

    # WHEN the ladder runs to the hand-over
    assert harness.wait_until_finished(claim["id"], timeout=60) == "SUCCEEDED"

    # THEN the letter step went back to planning and sent the letter in the next window; nothing went twice
    assert slow.held
    sent = [(m["stage"], m["channel"]) for m in harness.outbox(claim["id"])]
    assert sent.count(("final_notice", "email")) == sent.count(("final_notice", "letter")) == 1
    timeline = harness.claim(claim["id"])["timeline"]
    deferred = [(e["stage"], e["channel"], e["reason"]) for e in timeline if e["type"] == "message.deferred"]
    assert ("final_notice", "letter", "quiet_hours") in deferred  # (a loaded machine may defer more)
    states = harness.entered_states(claim["id"])
    assert ["Send Letter", "Letter Deferred?", "Plan Next Step"] in [states[i : i + 3] for i in range(len(states))]
    assert outside_the_window(harness.outbox(claim["id"]), {claim["id"]: "DE"}) == []


def _finished(harness: Harness, claim_id: str) -> bool:
    return harness.execution(claim_id)["status"] != "RUNNING"
