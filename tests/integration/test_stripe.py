"""Stripe Checkout through the real SDK over a recording HTTP client, and Stripe webhook verification."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import pytest
import stripe

from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
from chalicelib.adapters.payments.stripe_webhooks import verify_and_parse
from chalicelib.domain.errors import InvalidInputError, PermanentDeliveryError, SignatureError, TransientError
from chalicelib.services.ports import CheckoutRequest, PaymentEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

pytestmark = pytest.mark.integration

EVENTS = Path(__file__).parent.parent / "events" / "stripe"
SECRET = "whsec_test_mahnwerk_0123456789abcdef"
CLAIM = "01JQ8Z6W3K4M5N6P7R8S9T0V1W"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1Yq8Hn3Vf2Lm6Rt9Zx4Bw7Kc5Dp0Ej1Gs8Ui3Oa6Qv2Ty9Nh4Xm7Wb"
SESSION = {
    "id": "cs_test_a1Yq8Hn3Vf2Lm6Rt9Zx4Bw7Kc5Dp0Ej1Gs8Ui3Oa6Qv2Ty9Nh4Xm7Wb",
    "object": "checkout.session",
    "mode": "payment",
    "status": "open",
    "payment_status": "unpaid",
    "amount_total": 5240,
    "currency": "eur",
    "url": CHECKOUT_URL,
}


# --- a fake HTTP client for the SDK: records each request, answers with canned JSON ----------------------------------


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]


class RecordingHttpClient(stripe.HTTPClient):
    """The SDK builds, signs and encodes the request as for api.stripe.com; this only replaces the socket."""

    name = "recording"

    def __init__(self, *answers: tuple[int, dict[str, Any]] | Exception) -> None:
        super().__init__()
        self.answers = list(answers)
        self.sent: list[SentRequest] = []

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        self.sent.append(SentRequest(method, url, dict(headers or {}), dict(parse_qsl(post_data or ""))))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return json.dumps(body), status, {"Request-Id": f"req_test{len(self.sent)}"}

    def close(self) -> None:
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0  # the SDK's back-off is real; the tests need not wait for it


def checkout_over(http: RecordingHttpClient, retries: int = 0) -> StripeCheckout:
    client = stripe.StripeClient("sk_test_mahnwerk", http_client=http, max_network_retries=retries)
    return StripeCheckout("sk_test_mahnwerk", client=client)


def a_checkout_request(**changes: Any) -> CheckoutRequest:
    request = CheckoutRequest(
        claim_id=CLAIM,
        tenant_id="shop-1",
        amount=5240,
        currency="EUR",
        description="Rechnung 4711 – Demo Shop GmbH",
        customer_email="erika.muster@example.com",
        language="de",
        success_url="https://pay.mahnwerk.example/pay/tok_demo?checkout=success",
        cancel_url="https://pay.mahnwerk.example/pay/tok_demo?checkout=cancelled",
    )
    return replace(request, **changes)


def stripe_error(status: int, type_: str, code: str | None = None) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"type": type_, "code": code, "message": f"{type_} from the fake Stripe"}}


# --- Checkout -------------------------------------------------------------------------------------------------------


def test_checkout_posts_one_payment_line_for_the_claim_and_returns_the_session_url() -> None:
    # GIVEN
    http = RecordingHttpClient((200, SESSION))

    # WHEN
    url = checkout_over(http).create_checkout(a_checkout_request())

    # THEN
    assert url == CHECKOUT_URL
    [sent] = http.sent
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent.headers["Authorization"] == "Bearer sk_test_mahnwerk"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "5240",
        "line_items[0][price_data][product_data][name]": "Rechnung 4711 – Demo Shop GmbH",
        "customer_email": "erika.muster@example.com",
        "client_reference_id": CLAIM,
        "metadata[claim_id]": CLAIM,
        "metadata[tenant_id]": "shop-1",
        "payment_intent_data[metadata][claim_id]": CLAIM,
        "payment_intent_data[metadata][tenant_id]": "shop-1",
        "locale": "de",
        "success_url": "https://pay.mahnwerk.example/pay/tok_demo?checkout=success",
        "cancel_url": "https://pay.mahnwerk.example/pay/tok_demo?checkout=cancelled",
    }
    assert sent.headers["Idempotency-Key"].startswith(f"mahnwerk-checkout-{CLAIM}-5240-")


def test_a_double_click_sends_the_same_idempotency_key_so_stripe_returns_the_same_session() -> None:
    http = RecordingHttpClient((200, SESSION), (200, SESSION), (200, SESSION), (200, SESSION))
    checkout = checkout_over(http)

    checkout.create_checkout(a_checkout_request())
    checkout.create_checkout(a_checkout_request())
    checkout.create_checkout(a_checkout_request(amount=2000))
    checkout.create_checkout(a_checkout_request(language="en"))

    first, double_click, other_amount, other_language = (sent.headers["Idempotency-Key"] for sent in http.sent)
    assert double_click == first
    assert other_amount != first
    assert other_language != first  # Stripe would refuse the old key with new parameters


@pytest.mark.parametrize(("language", "locale"), [("de", "de"), ("EN", "en"), ("de-AT", "de"), ("fr", "auto")])
def test_checkout_speaks_the_debtors_language_or_lets_the_browser_choose(language: str, locale: str) -> None:
    http = RecordingHttpClient((200, SESSION))

    checkout_over(http).create_checkout(a_checkout_request(language=language))

    assert http.sent[0].form["locale"] == locale


def test_a_stripe_outage_is_retried_by_the_sdk_with_the_same_idempotency_key() -> None:
    http = RecordingHttpClient(stripe_error(503, "api_error"), (200, SESSION))

    url = checkout_over(http, retries=1).create_checkout(a_checkout_request())

    assert url == CHECKOUT_URL
    assert len(http.sent) == 2
    assert http.sent[0].headers["Idempotency-Key"] == http.sent[1].headers["Idempotency-Key"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (stripe_error(429, "invalid_request_error", "rate_limit"), TransientError),
        (stripe_error(500, "api_error"), TransientError),
        (stripe_error(409, "invalid_request_error", "lock_timeout"), TransientError),
        (stripe.APIConnectionError("connection reset by peer"), TransientError),
        (stripe_error(400, "invalid_request_error", "parameter_invalid_integer"), PermanentDeliveryError),
        (stripe_error(400, "idempotency_error"), PermanentDeliveryError),
        (stripe_error(401, "invalid_request_error", "api_key_invalid"), PermanentDeliveryError),
        (stripe_error(403, "invalid_request_error", "secret_key_required"), PermanentDeliveryError),
    ],
    ids=["429", "500", "409", "connection", "400", "idempotency", "401", "403"],
)
def test_stripe_errors_become_transient_or_permanent_domain_errors(
    answer: tuple[int, dict[str, Any]] | Exception, error: type[Exception]
) -> None:
    http = RecordingHttpClient(answer)

    with pytest.raises(error) as raised:
        checkout_over(http).create_checkout(a_checkout_request())

    assert isinstance(raised.value.__cause__, stripe.StripeError)


def test_the_api_client_is_built_on_first_use_not_when_the_adapter_is_wired() -> None:
    checkout = StripeCheckout("sk_test_mahnwerk")

    assert isinstance(checkout.client, stripe.StripeClient)
    assert checkout.client is checkout.client


def test_the_claim_of_a_payment_intent_is_read_from_its_metadata() -> None:
    intent = {"id": "pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K", "object": "payment_intent", "metadata": {"claim_id": CLAIM}}
    http = RecordingHttpClient((200, intent), (200, {**intent, "metadata": {}}))
    checkout = checkout_over(http)

    assert checkout.claim_id_for_payment_intent("pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K") == CLAIM
    assert checkout.claim_id_for_payment_intent("pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K") is None
    assert (http.sent[0].method, http.sent[0].url) == (
        "get",
        "https://api.stripe.com/v1/payment_intents/pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K",
    )


# --- webhooks -------------------------------------------------------------------------------------------------------


def event_fixture(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return event


def signed(event: dict[str, Any] | bytes, secret: str = SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send: v1 = HMAC-SHA256(secret, "<t>.<body>")."""
    body = event if isinstance(event, bytes) else json.dumps(event, indent=2).encode()
    t = int(time.time()) if timestamp is None else timestamp
    v1 = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={v1}"


def parsed(event: dict[str, Any] | bytes) -> PaymentEvent | None:
    return verify_and_parse(*signed(event), SECRET)


def test_a_paid_checkout_session_is_a_payment_of_the_claim() -> None:
    assert parsed(event_fixture("checkout_session_completed")) == PaymentEvent(
        event_id="evt_1RkQ2vLs7mWzKpXa3N8bC4dE",
        claim_id=CLAIM,
        amount=5240,
        currency="EUR",
        kind="payment",
        provider_reference="pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K",
    )


def test_a_sepa_checkout_counts_when_the_debit_succeeds_not_when_the_session_completes() -> None:
    completed = event_fixture("checkout_session_completed")
    completed["data"]["object"]["payment_status"] = "unpaid"
    succeeded = event_fixture("checkout_session_completed")
    succeeded["id"] = "evt_1RkS9dLs7mWzKpXa5Ue6Vf7W"
    succeeded["type"] = "checkout.session.async_payment_succeeded"

    assert parsed(completed) is None
    payment = parsed(succeeded)
    assert payment is not None
    assert (payment.kind, payment.amount, payment.event_id) == ("payment", 5240, "evt_1RkS9dLs7mWzKpXa5Ue6Vf7W")


def test_the_claim_is_taken_from_metadata_when_the_session_has_no_client_reference() -> None:
    event = event_fixture("checkout_session_completed")
    event["data"]["object"]["client_reference_id"] = None

    payment = parsed(event)

    assert payment is not None
    assert payment.claim_id == CLAIM


def test_a_checkout_of_the_merchants_own_shop_on_the_same_account_is_ignored() -> None:
    event = event_fixture("checkout_session_completed")
    event["data"]["object"]["client_reference_id"] = None
    event["data"]["object"]["metadata"] = {"order": "SHOP-991"}

    assert parsed(event) is None


def test_the_payment_intent_of_a_checkout_is_not_counted_a_second_time() -> None:
    event = event_fixture("payment_intent_succeeded")
    event["data"]["object"]["metadata"] = {"claim_id": CLAIM, "tenant_id": "shop-1"}  # as StripeCheckout sets it

    assert parsed(event) is None


def test_a_direct_payment_intent_is_a_payment_of_the_claim() -> None:
    assert parsed(event_fixture("payment_intent_succeeded")) == PaymentEvent(
        event_id="evt_3RkR7aLs7mWzKpXa0Yx2Zw3V",
        claim_id=CLAIM,
        amount=3000,
        currency="EUR",
        kind="payment",
        provider_reference="pi_3RkR7aLs7mWzKpXa0Qm4Np5R",
    )


def test_a_refund_is_a_negative_amount_of_what_this_refund_returned() -> None:
    assert parsed(event_fixture("charge_refunded")) == PaymentEvent(
        event_id="evt_3RkQ2tLs7mWzKpXa1Rf9Sg0T",
        claim_id=CLAIM,
        amount=-2000,
        currency="EUR",
        kind="refund",
        provider_reference="ch_3RkQ2tLs7mWzKpXa1Mx7Ny8P",
        original_payment="pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K",
    )


def test_a_second_partial_refund_counts_only_its_own_amount() -> None:
    event = event_fixture("charge_refunded")
    event["id"] = "evt_3RkZ1qLs7mWzKpXa1Ck4Dl5M"
    event["data"]["object"].update(amount_refunded=5240, refunded=True)
    event["data"]["previous_attributes"] = {"amount_refunded": 2000, "refunded": False}

    refund = parsed(event)

    assert refund is not None
    assert refund.amount == -3240


def test_a_refund_without_claim_metadata_names_the_payment_intent_it_takes_back() -> None:
    event = event_fixture("charge_refunded")
    event["data"]["object"]["metadata"] = {}

    refund = parsed(event)

    # the PSP service finds the claim that intent's payment was applied to
    assert refund is not None
    assert (refund.claim_id, refund.original_payment) == (None, "pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K")


def test_a_dispute_is_a_chargeback_of_the_disputed_amount_of_its_payment_intent() -> None:
    assert parsed(event_fixture("charge_dispute_created")) == PaymentEvent(
        event_id="evt_1RmA4bLs7mWzKpXa9Pq8Rs7T",
        claim_id=None,
        amount=-5240,
        currency="EUR",
        kind="chargeback",
        provider_reference="du_1RmA4aLs7mWzKpXaK6l5M4n3",
        original_payment="pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K",
    )


def test_the_claim_of_a_disputed_payment_intent_can_be_asked_of_stripe() -> None:
    # GIVEN the dispute names only the payment intent, whose metadata Stripe holds
    intent = {"id": "pi_3RkQ2tLs7mWzKpXa1Hf5Gj6K", "object": "payment_intent", "metadata": {"claim_id": CLAIM}}
    checkout = checkout_over(RecordingHttpClient((200, intent)))
    chargeback = parsed(event_fixture("charge_dispute_created"))
    assert chargeback is not None and chargeback.original_payment is not None
    # WHEN / THEN
    assert checkout.claim_id_for_payment_intent(chargeback.original_payment) == CLAIM


def test_a_dispute_that_names_neither_a_claim_nor_a_payment_intent_is_no_claims() -> None:
    event = event_fixture("charge_dispute_created")
    event["data"]["object"]["payment_intent"] = None

    assert parsed(event) is None


def test_an_event_type_that_moves_no_money_is_ignored() -> None:
    event = event_fixture("checkout_session_completed")
    event["type"] = "checkout.session.expired"

    assert parsed(event) is None


def test_a_tampered_payload_is_refused() -> None:
    body, header = signed(event_fixture("checkout_session_completed"))

    with pytest.raises(SignatureError):
        verify_and_parse(body.replace(b"5240", b"9999"), header, SECRET)


def test_a_payload_signed_with_another_secret_is_refused() -> None:
    body, header = signed(event_fixture("checkout_session_completed"), secret="whsec_someone_else")

    with pytest.raises(SignatureError):
        verify_and_parse(body, header, SECRET)


def test_a_replayed_event_older_than_the_tolerance_is_refused() -> None:
    body, header = signed(event_fixture("checkout_session_completed"), timestamp=int(time.time()) - 301)

    with pytest.raises(SignatureError):
        verify_and_parse(body, header, SECRET)


@pytest.mark.parametrize("header", [None, "", "t=abc,v1=00", "t=1752570124"])
def test_a_missing_or_malformed_signature_header_is_refused(header: str | None) -> None:
    body, _ = signed(event_fixture("checkout_session_completed"))

    with pytest.raises(SignatureError):
        verify_and_parse(body, header, SECRET)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"id": "evt_1", "type": "checkout.session.completed"}',
        json.dumps(
            {
                "id": "evt_1",
                "type": "checkout.session.completed",
                "data": {"object": {"payment_status": "paid", "client_reference_id": CLAIM, "amount_total": "52.40"}},
            }
        ).encode(),
        json.dumps(
            {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"metadata": {"source": "direct"}}}}
        ).encode(),
    ],
    ids=["not-json", "not-an-object", "no-data", "amount-as-text", "direct-intent-without-claim"],
)
def test_a_signed_but_unreadable_money_event_is_bad_input(body: bytes) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parsed(body)

    assert raised.value.field == "body"
