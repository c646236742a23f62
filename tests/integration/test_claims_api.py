"""The merchant API against moto: idempotency, payments exactly once, webhooks, listing, the timeline."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import pytest

from chalicelib.adapters.payments import sandbox
from tests.factories import claim_request

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration


def test_idempotency_key_returns_the_same_claim_and_refuses_a_different_request(harness: Harness) -> None:
    body = claim_request()
    first = harness.post("/v1/claims", body, **{"Idempotency-Key": "k-1"})
    again = harness.post("/v1/claims", body, **{"Idempotency-Key": "k-1"})
    other = harness.post("/v1/claims", claim_request(), **{"Idempotency-Key": "k-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json_body["id"] == first.json_body["id"]
    assert other.status_code == 409
    assert other.json_body["type"].endswith("/conflict")


def test_created_claim_carries_reference_pay_link_and_a_created_event(harness: Harness) -> None:
    claim = harness.create_claim(amount=4999)

    from stdnum import iso11649

    assert iso11649.is_valid(claim["payment_reference"])
    assert claim["pay_url"].startswith("http") and "/pay/" in claim["pay_url"]
    assert (claim["status"], claim["balance"], claim["currency"]) == ("open", 4999, "EUR")
    timeline = harness.claim(claim["id"])["timeline"]
    assert timeline[0]["type"] == "claim.created"


def test_a_merchant_payment_with_the_same_reference_is_applied_once(harness: Harness) -> None:
    claim = harness.create_claim(amount=10000)

    first = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 3000, "reference": "bank-42"})
    again = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 3000, "reference": "bank-42"})

    assert (first.status_code, again.status_code) == (201, 200)
    view = harness.claim(claim["id"])
    assert view["balance"] == 7000
    assert [e["type"] for e in view["timeline"]].count("payment.received") == 1


def test_an_over_payment_settles_the_claim_and_is_kept_for_a_refund(harness: Harness) -> None:
    claim = harness.create_claim(amount=5000)

    response = harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 6000, "reference": "too-much"})

    view = response.json_body
    assert (view["status"], view["balance"], view["overpaid"]) == ("paid", 0, 1000)
    overpaid = [e for e in harness.claim(claim["id"])["timeline"] if e["type"] == "payment.overpaid"]
    assert [e["amount"] for e in overpaid] == [1000]


def _webhook(
    harness: Harness, event: dict[str, object], secret: str = "local-sandbox-secret", **headers: str
) -> object:
    raw = json.dumps(event).encode()
    signed = {sandbox.SIGNATURE_HEADER: sandbox.sign(secret, raw, int(time.time())), **headers}
    return harness.client.http.post(
        "/v1/webhooks/demo/sandbox", headers={"Content-Type": "application/json", **signed}, body=raw
    )


def test_a_signed_psp_webhook_pays_the_claim_and_a_replay_changes_nothing(harness: Harness) -> None:
    claim = harness.create_claim(amount=2500)
    event = sandbox.payment_event(claim["id"], 2500, "EUR")

    first = _webhook(harness, event)
    replay = _webhook(harness, event)

    assert first.status_code == 200 and first.json_body["applied"] is True  # type: ignore[attr-defined]
    assert replay.status_code == 200 and replay.json_body["applied"] is False  # type: ignore[attr-defined]
    view = harness.claim(claim["id"])
    assert (view["status"], view["paid"]) == ("paid", 2500)


def test_a_webhook_with_a_wrong_signature_is_refused_and_changes_nothing(harness: Harness) -> None:
    claim = harness.create_claim(amount=2500)

    response = _webhook(harness, sandbox.payment_event(claim["id"], 2500, "EUR"), secret="guessed")

    assert response.status_code == 401  # type: ignore[attr-defined]
    assert harness.claim(claim["id"])["paid"] == 0


def test_a_webhook_for_another_tenants_claim_is_not_applied(harness: Harness) -> None:
    foreign = harness.post("/v1/claims", claim_request(), tenant="other").json_body

    response = _webhook(harness, sandbox.payment_event(foreign["id"], 100, "EUR"))

    assert response.status_code == 404  # type: ignore[attr-defined]
    assert harness.claim(foreign["id"], tenant="other")["paid"] == 0


def test_claims_are_listed_by_status_with_a_cursor(harness: Harness) -> None:
    ids = [harness.create_claim()["id"] for _ in range(3)]
    harness.post(f"/v1/claims/{ids[0]}/cancel", {})

    page_one = harness.get("/v1/claims?limit=2").json_body
    page_two = harness.get(f"/v1/claims?limit=2&cursor={page_one['next_cursor']}").json_body
    cancelled = harness.get("/v1/claims?status=cancelled").json_body
    bad = harness.get("/v1/claims?status=overdue")

    listed = [c["id"] for c in page_one["items"] + page_two["items"]]
    assert sorted(listed) == sorted(ids)
    assert [c["id"] for c in cancelled["items"]] == [ids[0]]
    assert bad.status_code == 400


def test_requests_without_a_valid_key_are_refused(harness: Harness) -> None:
    missing = harness.client.http.get("/v1/claims")
    wrong = harness.client.http.get("/v1/claims", headers={"Authorization": "Bearer nope"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_an_oversized_body_is_refused_without_storing_anything(harness: Harness) -> None:
    body = claim_request(description="x" * 70_000)

    response = harness.post("/v1/claims", body)

    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "body"
    assert harness.get("/v1/claims").json_body["items"] == []


def test_every_change_appends_an_event_to_the_timeline(harness: Harness) -> None:
    # GIVEN a claim that is paid in part and then cancelled
    claim = harness.create_claim(amount=9000)
    harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 1000, "reference": "part"})
    harness.post(f"/v1/claims/{claim['id']}/cancel", {"reason": "returned"})

    # THEN each change stands in the timeline, in order, with what changed
    timeline = harness.claim(claim["id"])["timeline"]
    changes = [e for e in timeline if e["type"] in ("claim.created", "payment.received", "claim.cancelled")]
    assert [e["type"] for e in changes] == ["claim.created", "payment.received", "claim.cancelled"]
    assert changes[1]["amount"] == 1000
    assert changes[1]["balance"] == 8000
    assert changes[2]["reason"] == "returned"
    assert [e["id"] for e in timeline] == sorted(e["id"] for e in timeline)


def test_a_cursor_or_limit_that_no_page_returned_is_refused_as_bad_input(harness: Harness) -> None:
    for _ in range(2):
        harness.create_claim()
    mine = harness.get("/v1/claims?limit=1").json_body["next_cursor"]

    garbage = harness.get("/v1/claims?cursor=%C3%84%0C")
    superscript = harness.get("/v1/claims?limit=%C2%B2")
    foreign = harness.get(f"/v1/claims?cursor={mine}", tenant="other")

    assert (garbage.status_code, superscript.status_code, foreign.status_code) == (400, 400, 400)
    assert [e["field"] for e in garbage.json_body["errors"]] == ["cursor"]
    assert [e["field"] for e in superscript.json_body["errors"]] == ["limit"]
