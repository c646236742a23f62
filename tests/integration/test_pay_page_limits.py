"""Abuse of a pay link: a flood of pay-page actions is refused with 429 before anything is sent."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from chalicelib.domain.pay_actions import PayAction
from chalicelib.domain.pay_limits import HOUR, LIMITS
from chalicelib.web.i18n import error_message
from tests.integration.test_outbound_webhooks import register

if TYPE_CHECKING:
    from tests.harness import Harness
    from tests.integration.receivers import Receiver

pytestmark = pytest.mark.integration

CONTACT_PER_HOUR = next(limit.requests for limit in LIMITS[PayAction.CONTACT] if limit.window_seconds == HOUR)


def token_path(claim: dict[str, Any]) -> str:
    return "/pay/" + str(claim["pay_url"]).rsplit("/", 1)[-1]


def write(harness: Harness, claim: dict[str, Any], n: int) -> Any:
    return harness.client.http.post(
        f"/v1{token_path(claim)}/contact",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"message": f"Guten Tag, Nachricht Nummer {n}."}),
    )


def contact_emails(harness: Harness, claim: dict[str, Any]) -> list[str]:
    return [kind for kind in harness.notices(claim["id"]) if kind == "contact_forwarded"]


def test_31_contact_messages_in_a_minute_the_surplus_gets_429_and_no_email_or_webhook(
    harness: Harness, receiver: Receiver
) -> None:
    # GIVEN the merchant's endpoint for debtor messages, and someone holding a pay link
    register(harness, receiver.url, ["debtor.message"])
    claim = harness.create_claim()

    # WHEN 31 different messages arrive through the link within seconds
    answers = [write(harness, claim, n) for n in range(31)]
    harness.pump_events()

    # THEN a debtor's few messages went through, and the rest were refused as too many, saying when to come back
    assert [a.status_code for a in answers] == [200] * CONTACT_PER_HOUR + [429] * (31 - CONTACT_PER_HOUR)
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json_body["type"].endswith("/too-many-requests")
    assert refused.json_body["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= HOUR
    assert refused.headers["Cache-Control"] == "no-store"
    # AND only the admitted messages became an email to the merchant, a timeline event and a webhook
    assert len(contact_emails(harness, claim)) == CONTACT_PER_HOUR
    said = [e for e in harness.claim(claim["id"])["timeline"] if e["type"] == "debtor.message"]
    assert len(said) == CONTACT_PER_HOUR
    assert receiver.types() == ["debtor.message"] * CONTACT_PER_HOUR


def test_a_flooded_link_does_not_silence_the_debtors_other_claims(harness: Harness) -> None:
    flooded, other = harness.create_claim(), harness.create_claim()
    for n in range(CONTACT_PER_HOUR + 1):
        write(harness, flooded, n)

    assert write(harness, other, 0).status_code == 200
    assert write(harness, flooded, 99).status_code == 429


def test_the_page_form_answers_the_surplus_with_the_page_and_a_friendly_429(harness: Harness) -> None:
    # GIVEN a link whose contact messages are used up for the hour
    claim = harness.create_claim()
    for n in range(CONTACT_PER_HOUR):
        assert write(harness, claim, n).status_code == 200
    page = harness.client.http.get(token_path(claim)).body.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None

    # WHEN the debtor sends one more through the page's form
    response = harness.client.http.post(
        f"{token_path(claim)}/contact",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"csrf": csrf.group(1), "lang": "en", "message": "One more thing."}),
    )

    # THEN the page comes back with status 429 and plain words, and nothing was sent
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) >= 1
    html = response.body.decode()
    assert error_message("contact", "too_many", "en") in html
    assert 'id="action-contact" open' in html
    assert len(contact_emails(harness, claim)) == CONTACT_PER_HOUR


def test_a_debtor_trying_a_few_dates_and_plans_is_never_refused(harness: Harness) -> None:
    claim = harness.create_claim()
    pay_json = f"/v1{token_path(claim)}"
    headers = {"Content-Type": "application/json"}

    answers = [
        harness.client.http.post(f"{pay_json}/{action}", headers=headers, body=json.dumps(body))
        for _ in range(3)
        for action, body in (("promise", {"date": "1999-01-01"}), ("instalments", {"count": 99}), ("checkout", {}))
    ]

    assert 429 not in {a.status_code for a in answers}
