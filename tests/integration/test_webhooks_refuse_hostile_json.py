"""Hostile JSON at /v1/webhooks/demo/<provider>: a 400 problem naming the body (or 401 where the signature over the
raw body comes first), never a 500, and nothing changes."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import stripe

from chalicelib.adapters.payments import sandbox
from infra.local.seed import SECRETS
from infra.local.shop_signing import generic_headers, shopify_headers, shopware_headers, woocommerce_headers

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.harness import Harness

pytestmark = pytest.mark.integration

DEEP = b"[" * 10_000 + b"]" * 10_000  # recursion in Python's json module, had it been used
# Each sender's signature over the raw body, made as the sender makes it.
SIGNERS: dict[str, Callable[[bytes, str], dict[str, str]]] = {
    "shopify": lambda body, secret: shopify_headers(body, secret, "orders/create", "wh-deep"),
    "woocommerce": lambda body, secret: woocommerce_headers(body, secret, "order.created", "dl-deep"),
    "shopware": shopware_headers,
    "generic": lambda body, secret: generic_headers(body, secret, "msg_deep"),
    "stripe": lambda body, secret: {
        "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body.decode(), secret)
    },
    "sandbox": lambda body, secret: {"Sandbox-Signature": sandbox.sign(secret, body, int(time.time()))},
}


@pytest.fixture
def existing(harness: Harness) -> dict[str, Any]:
    """A claim that must come out of every hostile delivery exactly as it went in."""
    due = (harness.app.clock.today() + timedelta(days=90)).isoformat()
    return harness.create_claim(amount=5240, due_date=due)


def post(harness: Harness, provider: str, body: bytes, headers: dict[str, str]) -> Any:
    return harness.client.http.post(
        f"/v1/webhooks/demo/{provider}", headers={"Content-Type": "application/json", **headers}, body=body
    )


def assert_nothing_changed(harness: Harness, claim: dict[str, Any]) -> None:
    [only] = harness.get("/v1/claims").json_body["items"]
    assert only["id"] == claim["id"]
    assert (only["amount"], only["balance"], only["paid"]) == (5240, 5240, 0)
    assert harness.app.payments.payments(claim["id"]) == []


def assert_refused_body(response: Any, reason: str) -> None:
    assert response.status_code == 400, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json_body["errors"][0]["field"] == "body"
    assert reason in response.json_body["errors"][0]["message"]


@pytest.mark.parametrize("provider", sorted(SIGNERS))
def test_deep_json_signed_by_the_sender_gets_400_and_changes_nothing(
    harness: Harness, existing: dict[str, Any], provider: str
) -> None:
    response = post(harness, provider, DEEP, SIGNERS[provider](DEEP, SECRETS[provider]))

    assert_refused_body(response, "nested deeper")
    assert_nothing_changed(harness, existing)


@pytest.mark.parametrize("provider", sorted(SIGNERS))
def test_deep_json_without_the_senders_signature_gets_401_before_it_is_parsed(
    harness: Harness, existing: dict[str, Any], provider: str
) -> None:
    response = post(harness, provider, DEEP, SIGNERS[provider](DEEP, "not-the-tenants-secret"))

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert_nothing_changed(harness, existing)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (DEEP, "nested deeper"),
        (b'{"live": "false", "notificationItems": [{"NotificationRequestItem": {"amount": NaN}}]}', "NaN"),
        (b'{"live": "false", "notificationItems": [' + b"9" * 4301 + b"]}", "digits"),
    ],
    ids=["deep", "nan", "huge-integer"],
)
def test_hostile_json_to_adyen_gets_400_though_adyen_signs_inside_the_body(
    harness: Harness, existing: dict[str, Any], body: bytes, reason: str
) -> None:
    # Adyen's signatures sit in each item, so the body is read before any HMAC is checked, with no signature at all
    response = post(harness, "adyen", body, {})

    assert_refused_body(response, reason)
    assert_nothing_changed(harness, existing)
