"""What an attacker or a broken client sends is a 400 problem+json naming the field, and changes nothing.

Each case here was a 500 (or silently accepted) before: deep JSON, integers int() cannot read, the year 9999,
forged cursors, control characters in names, made-up languages and messages that are not strings.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.contracts.pay_actions import MAX_BODY_BYTES
from chalicelib.web.i18n import error_message
from infra.local.seed import SECRETS
from infra.local.shop_signing import generic_headers, shopify_headers
from tests.factories import claim_request
from tests.random_refs import external_id

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}
HUGE = "9" * 5000  # int() refuses more than 4300 digits with a ValueError
EVENTS = Path(__file__).parent.parent / "events"
DEEP = "[" * 10_000 + "]" * 10_000
DEEP_BUT_SMALL = "[" * 3000 + "]" * 3000  # under the pay actions' size cap: the JSON reader itself refuses it


def quiet_claim(harness: Harness) -> dict[str, Any]:
    """Due in 300 strategy days (a minute here): no stage of the ladder writes to its timeline while a test runs."""
    return harness.create_claim(due_date=(harness.app.clock.today() + timedelta(days=300)).isoformat())


def fields(response: Any) -> list[str]:
    assert response.status_code == 400, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return [e["field"] for e in response.json_body["errors"]]


def token_path(claim: dict[str, Any]) -> str:
    return "/pay/" + str(claim["pay_url"]).rsplit("/", 1)[-1]


def timeline(harness: Harness, claim: dict[str, Any]) -> list[str]:
    return [e["type"] for e in harness.claim(claim["id"])["timeline"]]


def all_claims(harness: Harness) -> int:
    return len(harness.get("/v1/claims?limit=100").json_body["items"])


# --- the merchant API ---------------------------------------------------------------------------------------


def test_deep_json_to_every_json_endpoint_of_the_merchant_api_is_refused_and_changes_nothing(harness: Harness) -> None:
    claim = quiet_claim(harness)
    before, known = timeline(harness, claim), all_claims(harness)
    paths = [
        "/v1/claims",
        f"/v1/claims/{claim['id']}/payments",
        f"/v1/claims/{claim['id']}/cancel",
        f"/v1/claims/{claim['id']}/dispute/resolution",
        "/v1/webhook-endpoints",
        "/v1/payments/unmatched/entry-1/assign",
    ]

    answers = {path: harness.client.http.post(path, headers=harness.headers(), body=DEEP) for path in paths}

    assert {path: fields(answer) for path, answer in answers.items()} == dict.fromkeys(paths, ["body"])
    assert all("nested deeper" in a.json_body["detail"] for a in answers.values())
    assert (timeline(harness, claim), all_claims(harness)) == (before, known)
    assert harness.get("/v1/webhook-endpoints").json_body["items"] == []


@pytest.mark.parametrize("due", ["9999-12-31", "0001-01-01"])
def test_a_due_date_no_ladder_can_hold_is_refused_by_the_api(harness: Harness, due: str) -> None:
    known = all_claims(harness)

    response = harness.post("/v1/claims", claim_request(due_date=due))

    assert fields(response) == ["due_date"]
    assert "between ten years before and one year after today" in response.json_body["detail"]
    assert all_claims(harness) == known


def test_a_generic_invoice_due_in_the_year_9999_is_refused_so_the_shop_stops_retrying(harness: Harness) -> None:
    ref = external_id()
    event = {"type": "invoice.created", "data": claim_request(external_id=ref, due_date="9999-12-31")}
    body = json.dumps(event).encode()

    response = harness.client.http.post(
        "/v1/webhooks/demo/generic", headers=generic_headers(body, SECRETS["generic"], "msg_9999"), body=body
    )

    assert fields(response) == ["due_date"]
    assert harness.app.claims.find_by_external_id("demo", ref) is None


@pytest.mark.parametrize(
    "key",
    [
        {"tenant_id": {"S": "demo"}, "claim_id": {"N": "1"}},
        {"tenant_id": {"S": "demo"}, "claim_id": {"N": "1e999999"}},
        {"tenant_id": {"S": "demo"}},
        {"tenant_id": {"S": "demo"}, "claim_id": {"S": "01J"}, "created_at": {"N": "1"}},
        {"tenant_id": {"N": "1"}, "claim_id": {"S": "01J"}},
    ],
    ids=["numeric", "numeric-beyond-range", "missing-key", "extra-key", "numeric-tenant"],
)
def test_a_forged_cursor_is_refused_on_every_listing(harness: Harness, key: dict[str, Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()

    claims = harness.get(f"/v1/claims?cursor={cursor}")
    by_status = harness.get(f"/v1/claims?status=open&cursor={cursor}")
    deliveries = harness.get(f"/v1/webhooks/deliveries?cursor={cursor}")
    unmatched = harness.get(f"/v1/payments/unmatched?cursor={cursor}")

    assert [fields(r) for r in (claims, by_status, deliveries, unmatched)] == [["cursor"]] * 4


def test_a_cursor_of_one_status_is_refused_for_another(harness: Harness) -> None:
    for _ in range(2):
        quiet_claim(harness)
    cursor = harness.get("/v1/claims?status=open&limit=1").json_body["next_cursor"]

    assert harness.get(f"/v1/claims?status=open&cursor={cursor}").status_code == 200
    assert fields(harness.get(f"/v1/claims?status=paid&cursor={cursor}")) == ["cursor"]


@pytest.mark.parametrize("name", ["Eri\x00ka", "Erika\x1b[2J", "Erika\r\nBcc: x@example.com"], ids=repr)
def test_a_control_character_in_a_debtors_name_is_refused(harness: Harness, name: str) -> None:
    known = all_claims(harness)

    assert fields(harness.post("/v1/claims", claim_request(debtor={"name": name}))) == ["debtor.name"]
    assert all_claims(harness) == known


def test_a_shop_order_with_a_control_character_in_the_name_is_refused_too(harness: Harness) -> None:
    order = json.loads((EVENTS / "shopify" / "orders_create.json").read_text())
    order["id"] = int(external_id().encode().hex()[:15], 16)
    order["created_at"] = order["processed_at"] = f"{harness.app.clock.today()}T10:00:00-05:00"
    order["billing_address"]["company"] = "Shipping\x00 Company"
    body = json.dumps(order).encode()
    headers = shopify_headers(body, SECRETS["shopify"], "orders/create", "wh-nul")

    response = harness.client.http.post("/v1/webhooks/demo/shopify", headers=headers, body=body)

    assert fields(response) == ["debtor.name"]
    assert harness.app.claims.find_by_external_id("demo", f"shopify:{order['id']}") is None


def test_a_made_up_language_is_refused(harness: Harness) -> None:
    assert fields(harness.post("/v1/claims", claim_request(debtor={"language": "zz"}))) == ["debtor.language"]


# --- the pay page -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["promise", "instalments", "dispute", "pause", "contact", "checkout"])
@pytest.mark.parametrize("body", [DEEP, DEEP_BUT_SMALL], ids=["deep-and-large", "deep"])
def test_deep_json_to_a_pay_action_is_refused_and_changes_nothing(harness: Harness, action: str, body: str) -> None:
    claim = quiet_claim(harness)
    before = timeline(harness, claim)

    response = harness.client.http.post(f"/v1{token_path(claim)}/{action}", headers=JSON, body=body)

    assert fields(response) == ["body"]
    assert timeline(harness, claim) == before


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("instalments", {"count": HUGE}, "count"),
        ("instalments", {"count": "3 instalments"}, "count"),
        ("pause", {"reason": "Krankenhaus", "days": HUGE}, "days"),
        ("contact", {"message": {"text": "Hallo"}}, "message"),
        ("contact", {"message": ["Hallo"]}, "message"),
        ("contact", {"message": 42}, "message"),
        ("dispute", {"reason": "not_received", "message": "Nie\x00angekommen"}, "message"),
        ("instalments", {"count": int(HUGE[:41])}, "body"),  # a JSON number past 40 digits: refused by the reader
    ],
    ids=["huge-count", "wordy-count", "huge-days", "object-message", "list-message", "number-message", "nul", "big"],
)
def test_pay_action_fields_of_the_wrong_kind_are_refused_naming_them(
    harness: Harness, action: str, body: dict[str, Any], field: str
) -> None:
    claim = quiet_claim(harness)
    before, sent = timeline(harness, claim), len(harness.app.outbox.list(claim["id"]))

    response = harness.client.http.post(f"/v1{token_path(claim)}/{action}", headers=JSON, body=json.dumps(body))

    assert fields(response) == [field]
    assert timeline(harness, claim) == before
    assert len(harness.app.outbox.list(claim["id"])) == sent  # no confirmation, no message to the merchant


def test_a_pay_action_body_beyond_the_cap_is_refused_and_changes_nothing(harness: Harness) -> None:
    claim = quiet_claim(harness)
    before = timeline(harness, claim)
    message = "Bitte rufen Sie mich an. " * (MAX_BODY_BYTES // 20)

    response = harness.client.http.post(
        f"/v1{token_path(claim)}/contact", headers=JSON, body=json.dumps({"message": message})
    )

    assert fields(response) == ["body"]
    assert f"larger than {MAX_BODY_BYTES} bytes" in response.json_body["detail"]
    assert timeline(harness, claim) == before


def test_a_message_with_line_breaks_still_reaches_the_merchant(harness: Harness) -> None:
    claim = quiet_claim(harness)

    response = harness.client.http.post(
        f"/v1{token_path(claim)}/contact", headers=JSON, body=json.dumps({"message": "Guten Tag,\r\n\tbitte anrufen."})
    )

    assert response.status_code == 200, response.body
    said = [e for e in harness.claim(claim["id"])["timeline"] if e["type"] == "debtor.message"]
    assert [e["message"] for e in said] == ["Guten Tag,\r\n\tbitte anrufen."]


@pytest.mark.parametrize(
    ("action", "form"), [("instalments", {"count": HUGE}), ("pause", {"reason": "x", "days": HUGE})]
)
def test_a_form_with_a_number_int_cannot_read_gets_the_page_back_with_400(
    harness: Harness, action: str, form: dict[str, str]
) -> None:
    claim = quiet_claim(harness)
    before = timeline(harness, claim)
    page = harness.client.http.get(token_path(claim)).body.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    body = "&".join(f"{k}={v}" for k, v in {"csrf": csrf.group(1), "lang": "de", **form}.items())

    response = harness.client.http.post(
        f"{token_path(claim)}/{action}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=body,
    )

    assert response.status_code == 400
    assert error_message(action, next(iter(form.keys() - {"reason"})), "de") in response.body.decode()
    assert timeline(harness, claim) == before


def test_an_instalment_preview_of_an_unreadable_number_gets_the_page_back_with_400(harness: Harness) -> None:
    claim = quiet_claim(harness)

    response = harness.client.http.get(f"{token_path(claim)}?instalments={HUGE}")

    assert response.status_code == 400
    assert error_message("instalments", "count", "de") in response.body.decode()
