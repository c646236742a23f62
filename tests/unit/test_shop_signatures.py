"""Each shop system's signature over the raw body: a signed delivery passes, anything else is refused before parsing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chalicelib.adapters.shops import generic, read_webhook, shopify, shopware, woocommerce
from chalicelib.domain.errors import SignatureError
from chalicelib.domain.shop_orders import OrderRules, ShopEventKind
from chalicelib.domain.tenant import Tenant
from infra.local.shop_signing import generic_headers, shopify_headers, shopware_headers, woocommerce_headers

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.unit

EVENTS = Path(__file__).parent.parent / "events"
SECRETS = {
    "shopify": "shpss_5f3e9c2a7b",
    "woocommerce": "wc-secret-7Hq2",
    "shopware": "sw-app-secret-91",
    "generic": "whsec_" + base64.b64encode(b"generic-signing-key").decode(),
}
OTHER_SECRETS = {
    "shopify": "shpss_other",
    "woocommerce": "wc-other",
    "shopware": "sw-other",
    "generic": "whsec_" + base64.b64encode(b"another-key").decode(),
}
SIGNATURE_HEADERS = {
    "shopify": "X-Shopify-Hmac-Sha256",
    "woocommerce": "X-WC-Webhook-Signature",
    "shopware": "shopware-shop-signature",
    "generic": "webhook-signature",
}
BODIES = {
    "shopify": (EVENTS / "shopify" / "orders_create.json").read_bytes(),
    "woocommerce": (EVENTS / "woocommerce" / "order_created.json").read_bytes(),
    "shopware": (EVENTS / "shopware" / "order_placed.json").read_bytes(),
    "generic": (EVENTS / "generic" / "invoice_created.json").read_bytes(),
}
SIGNERS: dict[str, Callable[[bytes, str], dict[str, str]]] = {
    "shopify": lambda body, secret: shopify_headers(
        body, secret, "orders/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    ),
    "woocommerce": lambda body, secret: woocommerce_headers(body, secret, "order.created", "8f6c1d1e"),
    "shopware": shopware_headers,
    "generic": lambda body, secret: generic_headers(body, secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
}
INTEGRATIONS = {
    "shopify": {"invoice_gateways": ["manual"]},
    "woocommerce": {"invoice_methods": ["bacs"]},
    "shopware": {"invoice_methods": ["payment_invoicepayment"]},
}
RULES = {s: OrderRules.for_tenant(Tenant("t", "T", integrations=INTEGRATIONS), s) for s in SECRETS}
SYSTEMS = sorted(SECRETS)


def read(system: str, body: bytes, headers: dict[str, str], secret: str | None = None) -> ShopEventKind:
    return read_webhook(system, body, headers, secret or SECRETS[system], RULES[system]).kind


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_delivery_signed_with_the_tenants_secret_is_read(system: str) -> None:
    body = BODIES[system]

    assert read(system, body, SIGNERS[system](body, SECRETS[system])) == ShopEventKind.ORDER_PLACED


@pytest.mark.parametrize("system", SYSTEMS)
def test_header_names_are_read_in_any_case(system: str) -> None:
    body = BODIES[system]
    headers = {k.lower(): v for k, v in SIGNERS[system](body, SECRETS[system]).items()}

    assert read(system, body, headers) == ShopEventKind.ORDER_PLACED


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_tampered_body_is_refused(system: str) -> None:
    body = BODIES[system]
    headers = SIGNERS[system](body, SECRETS[system])
    tampered = body.replace(b"Mustermann", b"Musterfrau").replace(b"jon@example.com", b"eve@example.com")

    with pytest.raises(SignatureError):
        read(system, tampered, headers)


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_delivery_signed_with_another_secret_is_refused(system: str) -> None:
    body = BODIES[system]

    with pytest.raises(SignatureError):
        read(system, body, SIGNERS[system](body, OTHER_SECRETS[system]))


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_delivery_without_its_signature_header_is_refused(system: str) -> None:
    body = BODIES[system]
    headers = {k: v for k, v in SIGNERS[system](body, SECRETS[system]).items() if k != SIGNATURE_HEADERS[system]}

    with pytest.raises(SignatureError):
        read(system, body, headers)


@pytest.mark.parametrize("system", SYSTEMS)
def test_an_unsigned_malformed_body_is_refused_for_its_signature_not_parsed(system: str) -> None:
    body = b'{"id": "<script>", "total": [}'

    with pytest.raises(SignatureError):
        read(system, body, SIGNERS[system](body, OTHER_SECRETS[system]))


@pytest.mark.parametrize("garbage", ["", "not-base64!", "ñ", "v1,Zm9v", "v1"])
@pytest.mark.parametrize("system", SYSTEMS)
def test_garbage_in_the_signature_header_is_a_signature_error(system: str, garbage: str) -> None:
    body = BODIES[system]
    headers = SIGNERS[system](body, SECRETS[system]) | {SIGNATURE_HEADERS[system]: garbage}

    with pytest.raises(SignatureError):
        read(system, body, headers)


def test_shopify_signs_the_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"id":820982911946154508}'
    expected = base64.b64encode(hmac.new(b"hush", body, hashlib.sha256).digest()).decode()

    assert shopify.sign(body, "hush") == expected
    shopify.verify(body, {"X-Shopify-Hmac-Sha256": expected}, "hush")


def test_woocommerce_signs_the_base64_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"id":727}'
    expected = base64.b64encode(hmac.new(b"hush", body, hashlib.sha256).digest()).decode()

    woocommerce.verify(body, {"X-WC-Webhook-Signature": expected}, "hush")


def test_shopware_signs_the_hex_hmac_sha256_of_the_raw_body_in_either_case() -> None:
    body = b'{"data":{"event":"checkout.order.placed"}}'
    expected = hmac.new(b"hush", body, hashlib.sha256).hexdigest()

    shopware.verify(body, {"shopware-shop-signature": expected}, "hush")
    shopware.verify(body, {"shopware-shop-signature": expected.upper()}, "hush")


def test_woocommerces_unsigned_creation_ping_is_acknowledged_and_ignored() -> None:
    event = read_webhook("woocommerce", b"webhook_id=42", {}, SECRETS["woocommerce"], RULES["woocommerce"])

    assert event.kind == ShopEventKind.IGNORED
    assert "ping" in event.reason


@pytest.mark.parametrize("body", [b"webhook_id=42&status=completed", b"webhook_id=", b'{"webhook_id": 42}', b""])
def test_anything_but_the_exact_ping_must_be_signed(body: bytes) -> None:
    with pytest.raises(SignatureError):
        read_webhook("woocommerce", body, {}, SECRETS["woocommerce"], RULES["woocommerce"])


@pytest.mark.parametrize("age", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_generic_delivery_outside_five_minutes_is_refused(age: timedelta) -> None:
    body = BODIES["generic"]
    headers = generic_headers(body, SECRETS["generic"], "msg_1", at=datetime.now(UTC) + age)

    with pytest.raises(SignatureError):
        generic.verify(body, headers, SECRETS["generic"])


def test_a_generic_delivery_signed_for_another_message_id_is_refused() -> None:
    body = BODIES["generic"]
    headers = generic_headers(body, SECRETS["generic"], "msg_1") | {"webhook-id": "msg_2"}

    with pytest.raises(SignatureError):
        generic.verify(body, headers, SECRETS["generic"])


def test_a_generic_secret_that_is_not_base64_is_a_signature_error_not_a_crash() -> None:
    body = json.dumps({"type": "invoice.paid", "data": {"external_id": "A-1"}}).encode()
    headers = generic_headers(body, SECRETS["generic"], "msg_1")

    with pytest.raises(SignatureError):
        generic.verify(body, headers, "whsec_***")
