"""The issue's acceptance checks, against the local stack over HTTP with DAY_SECONDS=0.5."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from infra.local.contact_check import outside_the_window
from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _claim(api: LocalApi, session: requests.Session, claim_id: str) -> dict[str, Any]:
    return dict(session.get(f"{api.url}/v1/claims/{claim_id}", timeout=5).json())


def test_unpaid_claim_gets_every_channel_in_order_and_is_handed_over_within_a_minute(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)

    wait_for(lambda: _claim(local_api, session, claim["id"])["status"] == "handed_over", timeout=180, interval=0.5)

    sent = [(m["stage"], m["channel"]) for m in local_api.outbox(claim["id"])]
    assert sent == [
        ("reminder", "email"),
        ("sms", "sms"),
        ("call", "call"),
        ("final_notice", "email"),
        ("final_notice", "letter"),
    ]
    agency = requests.get(f"{local_api.url}/_local/agency/claims", params={"claim_id": claim["id"]}, timeout=5).json()
    assert [p["claim"]["external_id"] for p in agency["items"]] == [claim["external_id"]]
    assert agency["items"][0]["contact_history"], "the agency gets the full history"
    # The execution history shows a named state per channel.
    sfn = local_api.sfn()
    arn = sfn.list_executions(stateMachineArn=_machine(sfn))["executions"]
    execution = next(e["executionArn"] for e in arn if e["name"] == claim["id"])
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = {e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e}
    assert {"Send Email", "Send SMS", "Place Call", "Send Letter", "Hand Over To Agency"} <= entered


def test_every_message_to_german_and_british_debtors_reaches_them_inside_their_window(local_api: LocalApi) -> None:
    # GIVEN German consumers due on four days in a row and a British one, handed over to `make up`'s stack
    session = local_api.session()
    today = date.fromisoformat(local_api.today())
    debtors = [{"name": f"Erika Muster{n}", "country": "DE"} for n in range(4)]
    debtors.append({"name": "Emily Clarke", "country": "GB", "language": "en", "phone": "+447911123456"})
    claims = [
        local_api.create_claim(session, debtor=debtor, due_date=(today + timedelta(days=n - 1)).isoformat())
        for n, debtor in enumerate(debtors)
    ]

    # WHEN their ladders run to the hand-over
    def all_handed_over() -> bool:
        return all(_claim(local_api, session, c["id"])["status"] == "handed_over" for c in claims)

    wait_for(all_handed_over, timeout=180, interval=0.5)

    # THEN every message went out 08:00-20:00 in the debtor's time zone, never on a Sunday or public holiday
    sent = [m for c in claims for m in local_api.outbox(c["id"])]
    assert len(sent) == 5 * len(claims)
    assert outside_the_window(sent, {c["id"]: c["debtor"]["country"] for c in claims}) == []


def _paid_at(view: dict[str, Any]) -> str:
    return str(next(e["at"] for e in view["timeline"] if e["type"] == "claim.paid"))


def _machine(sfn: object) -> str:
    return str(sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"])  # type: ignore[attr-defined]


def test_full_payment_after_first_reminder_closes_the_claim_within_two_seconds(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)
    wait_for(lambda: local_api.outbox(claim["id"]), timeout=60)

    paid_at = time.monotonic()
    response = requests.post(
        f"{local_api.url}/_local/sandbox/payments",
        json={"claim_id": claim["id"], "amount": claim["balance"]},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    wait_for(lambda: _claim(local_api, session, claim["id"])["status"] == "paid", timeout=2)
    assert time.monotonic() - paid_at < 2

    # the execution has ended, so nothing more can go out; before it did, only the reminder had
    wait_for(lambda: "RUNNING" not in local_api.executions(claim["id"]).values(), timeout=60, interval=0.5)
    assert [m["stage"] for m in local_api.outbox(claim["id"])] in (["reminder"], ["reminder", "sms"])
    sent = [m for m in local_api.outbox(claim["id"]) if m["stage"] == "sms"]
    assert not sent or sent[0]["sent_at"] <= _paid_at(_claim(local_api, session, claim["id"]))
    timeline = [e["type"] for e in _claim(local_api, session, claim["id"])["timeline"]]
    assert "payment.received" in timeline
    assert "claim.paid" in timeline


def test_partial_payment_keeps_dunning_and_the_next_message_shows_the_reduced_balance(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session, amount=10000)
    # the first reminder's stage is complete: the claim is in dunning (its message alone may come a moment before)
    wait_for(lambda: _claim(local_api, session, claim["id"])["status"] == "dunning", timeout=60)

    response = requests.post(
        f"{local_api.url}/_local/sandbox/payments", json={"claim_id": claim["id"], "amount": 4000}, timeout=60
    )
    assert response.status_code == 201

    view = _claim(local_api, session, claim["id"])
    assert (view["status"], view["balance"]) == ("dunning", 6000)
    sms = wait_for(lambda: [m for m in local_api.outbox(claim["id"]) if m["channel"] == "sms"], timeout=60)
    assert "60,00" in sms[0]["body"]


def test_the_same_external_id_twice_yields_one_claim(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)
    body = {"external_id": claim["external_id"], **dict(_request_like(claim).items())}

    again = session.post(f"{local_api.url}/v1/claims", json=body, timeout=5)

    assert again.status_code == 200
    assert again.json()["id"] == claim["id"]
    listed = session.get(f"{local_api.url}/v1/claims", params={"limit": 100}, timeout=5).json()["items"]
    assert [c["id"] for c in listed if c["external_id"] == claim["external_id"]] == [claim["id"]]


def _request_like(claim: dict[str, Any]) -> dict[str, Any]:
    debtor = dict(claim["debtor"])
    debtor.pop("customer_since", None)
    return {"debtor": debtor, "amount": claim["amount"], "currency": claim["currency"], "due_date": claim["due_date"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"currency": "ABC"}, "currency"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"debtor": {"email": "not-an-email"}}, "debtor.email"),
        ({"debtor": {"phone": "12"}}, "debtor.phone"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field_and_leaves_no_trace(
    local_api: LocalApi, change: dict[str, object], field: str
) -> None:
    from tests.factories import claim_request

    session = local_api.session()
    body = claim_request(**change)

    response = session.post(f"{local_api.url}/v1/claims", json=body, timeout=5)

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    listed = session.get(f"{local_api.url}/v1/claims", params={"limit": 100}, timeout=5).json()["items"]
    assert body["external_id"] not in [c["external_id"] for c in listed]


def test_body_that_is_not_json_gets_a_400(local_api: LocalApi) -> None:
    response = local_api.session().post(f"{local_api.url}/v1/claims", data="nope", timeout=5)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_another_tenants_key_cannot_read_the_claim(local_api: LocalApi) -> None:
    claim = local_api.create_claim(local_api.session())

    foreign = local_api.session("local-other-key").get(f"{local_api.url}/v1/claims/{claim['id']}", timeout=5)
    anonymous = requests.get(f"{local_api.url}/v1/claims/{claim['id']}", timeout=5)

    assert foreign.status_code == 404
    assert anonymous.status_code == 401
