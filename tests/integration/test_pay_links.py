"""Pay links: one claim each, settled claims say so, and the link dies a while after the claim closed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from chalicelib import bootstrap
from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration


def _path(claim: dict[str, object]) -> str:
    return "/pay/" + str(claim["pay_url"]).rsplit("/", 1)[-1]


def test_a_pay_link_opens_its_own_claim_only(harness: Harness) -> None:
    mine, other = harness.create_claim(amount=1111), harness.create_claim(amount=2222)

    page = harness.client.http.get(_path(mine))

    assert page.status_code == 200
    assert "11,11" in page.body.decode()
    assert "22,22" not in page.body.decode()
    assert mine["pay_url"] != other["pay_url"]


def test_a_closed_claims_link_says_settled_and_then_expires(harness: Harness) -> None:
    # GIVEN a tenant whose links live ten days after the claim closed (two seconds here), and a paid claim
    tenant = harness.app.tenants.get("demo")
    harness.app.tenants.save(replace(tenant, pay_link_days_after_close=10))
    claim = harness.create_claim(amount=5000)
    harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": 5000, "reference": "done"})

    # THEN at first the page says it is settled and offers no payment
    settled = harness.client.http.get(_path(claim))
    assert settled.status_code == 200
    assert "/checkout" not in settled.body.decode()
    # AND once those days have passed, the link opens nothing
    closed_on = harness.app.clock.today()
    wait_for(lambda: (harness.app.clock.today() - closed_on).days >= 11, timeout=10)
    assert harness.client.http.get(_path(claim)).status_code == 404
    assert harness.client.http.get("/v1" + _path(claim)).status_code == 404


def test_without_a_psp_outside_the_local_stage_no_card_payment_is_offered(harness: Harness) -> None:
    claim = harness.create_claim()
    app = bootstrap.container()
    app.__dict__["checkout"] = None  # as on a deployed stage without a PSP key

    page = harness.client.http.get(_path(claim))
    attempt = harness.client.http.post(
        "/v1" + _path(claim) + "/checkout", headers={"Content-Type": "application/json"}, body="{}"
    )

    assert "/checkout" not in page.body.decode()
    assert attempt.status_code == 400
    assert attempt.json_body["errors"][0]["field"] == "checkout"


def test_every_answer_of_a_pay_link_is_private_and_https_only(harness: Harness) -> None:
    claim = harness.create_claim()
    json_headers = {"Content-Type": "application/json"}

    answers = {
        "html page": harness.client.http.get(_path(claim)),
        "json page": harness.client.http.get("/v1" + _path(claim)),
        "json action": harness.client.http.post("/v1" + _path(claim) + "/contact", headers=json_headers, body="{}"),
        "unknown html link": harness.client.http.get("/pay/not-a-token"),
        "unknown json link": harness.client.http.get("/v1/pay/not-a-token"),
    }

    assert [a.status_code for a in answers.values()] == [200, 200, 400, 404, 404]
    for name, answer in answers.items():
        assert answer.headers["Cache-Control"] == "no-store", name
        assert answer.headers["X-Robots-Tag"].startswith("noindex"), name
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000"), name


def test_the_merchant_api_answers_with_hsts_too(harness: Harness) -> None:
    answers = [
        harness.get("/v1/claims"),
        harness.client.http.get("/v1/claims"),
        harness.client.http.get("/v1/openapi.json"),
    ]

    assert [a.status_code for a in answers] == [200, 401, 200]
    assert all(a.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains" for a in answers)
