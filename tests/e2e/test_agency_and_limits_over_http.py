"""The issue's checks over HTTP: a payment on a handed-over claim reaches the agency sandbox; a flood of contact
messages through a pay link gets 429 and sends no email."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _claim(api: LocalApi, session: requests.Session, claim_id: str) -> dict[str, Any]:
    return dict(session.get(f"{api.url}/v1/claims/{claim_id}", timeout=5).json())


def _agency(api: LocalApi, what: str, claim_id: str) -> list[dict[str, Any]]:
    response = requests.get(f"{api.url}/_local/agency/{what}", params={"claim_id": claim_id}, timeout=5)
    return list(response.json()["items"])


def test_a_payment_on_a_handed_over_claim_reaches_the_agency_sandbox(local_api: LocalApi) -> None:
    # GIVEN a claim that climbed the whole ladder and is now at the agency
    session = local_api.session()
    claim = local_api.create_claim(session)
    wait_for(lambda: _claim(local_api, session, claim["id"])["status"] == "handed_over", timeout=90, interval=0.5)
    [document] = _agency(local_api, "claims", claim["id"])
    balance = document["claim"]["balance"]

    # WHEN the debtor pays part of it through the sandbox PSP
    paid = requests.post(
        f"{local_api.url}/_local/sandbox/payments", json={"claim_id": claim["id"], "amount": 2000}, timeout=15
    )
    assert paid.status_code == 201, paid.text

    # THEN the agency sandbox received the payment, signed and filed under the claim's hand-over
    wait_for(lambda: _agency(local_api, "updates", claim["id"]), timeout=10, interval=0.2)
    [update] = _agency(local_api, "updates", claim["id"])
    assert update["handover_id"] == document["handover_id"]
    assert update["agency_reference"] == f"AG-{document['handover_id']}"
    assert (update["type"], update["event"]["amount"], update["event"]["provider"]) == (
        "payment.received",
        2000,
        "sandbox",
    )
    assert (update["claim"]["balance"], update["claim"]["status"]) == (balance - 2000, "handed_over")
    assert update["claim"]["version"] > document["claim"]["version"]


def test_31_pay_page_contact_messages_in_a_minute_the_surplus_gets_429_and_no_email(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)
    token = str(claim["pay_url"]).rsplit("/", 1)[-1]

    answers = [
        requests.post(f"{local_api.url}/v1/pay/{token}/contact", json={"message": f"Nachricht {n}"}, timeout=10)
        for n in range(31)
    ]

    codes = [a.status_code for a in answers]
    admitted = codes.count(200)
    assert codes == [200] * admitted + [429] * (31 - admitted)
    assert 1 <= admitted <= 10
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers[admitted:])
    assert answers[-1].headers["Content-Type"] == "application/problem+json"
    emails = [n for n in local_api.notices(str(claim["id"])) if n == "contact_forwarded"]
    assert len(emails) == admitted
