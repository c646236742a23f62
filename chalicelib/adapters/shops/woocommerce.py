"""WooCommerce webhooks: the X-WC-Webhook-Signature, and order.created / order.updated read by the order's status.

WooCommerce sends the whole order (REST API v3 shape) on every change, so the status decides what it means:

- cancelled → the claim is cancelled; refunded → credited in full (each refund listed, then whatever is left);
- one of the tenant's `paid_statuses` (default "completed") → paid in full;
- failed, trash, checkout-draft → ignored;
- `date_paid` set → paid in full, whatever the status. WooCommerce stamps date_paid when the payment completes (a
  gateway's payment_complete(), or the merchant marking a bank transfer received, which moves the order to
  processing) and never clears it, so an order paid and then put on hold is still paid: dunning a customer who
  paid is the worse mistake. On order.created there is no claim to pay, so a paid order never becomes one;
- otherwise (pending, on-hold, processing without date_paid) an order with one of the tenant's invoice methods
  (e.g. "invoice", "bacs") is a claim; an update of a known order changes nothing, except refunds listed on it,
  which are credited.

The total includes tax and shipping. WooCommerce orders carry no payment terms, so the due date is the order date
plus the tenant's payment days; they carry no customer locale either, except the order meta WPML writes.
When a webhook is created WooCommerce pings it with an unsigned form body `webhook_id=<id>`: that exact shape is
acknowledged and ignored; anything else must be signed.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING

from chalicelib.adapters.shops.payload import Fields, hmac_sha256, load, lower_keys, require_same
from chalicelib.domain.shop_orders import (
    Buyer,
    Credit,
    OrderRef,
    cancelled,
    country_of,
    credited,
    currency_code,
    debtor_of,
    ignored,
    invoice_of,
    paid,
    placed,
    to_minor,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from chalicelib.domain.shop_orders import OrderInvoice, OrderRules, ShopEvent

SYSTEM = "woocommerce"
SIGNATURE_HEADER = "x-wc-webhook-signature"
TOPIC_HEADER = "x-wc-webhook-topic"
DELIVERY_HEADER = "x-wc-webhook-delivery-id"
TOPICS = frozenset({"order.created", "order.updated"})
NOTHING_TO_DO = frozenset({"failed", "trash", "checkout-draft"})
_PING = re.compile(rb"webhook_id=[0-9]{1,20}")
_LANGUAGE_META = ("wpml_language", "_wpml_language")


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac_sha256(secret, body)).decode()


def is_ping(body: bytes) -> bool:
    return _PING.fullmatch(body) is not None


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> None:
    """Base64 HMAC-SHA256 of the raw body with the webhook's secret."""
    require_same(sign(body, secret), lower_keys(headers).get(SIGNATURE_HEADER, "").strip(), "X-WC-Webhook-Signature")


def read(body: bytes, headers: Mapping[str, str], secret: str, rules: OrderRules) -> ShopEvent:
    """Verify first (the creation ping aside); only a signed body is parsed."""
    headers = lower_keys(headers)
    delivery = headers.get(DELIVERY_HEADER, "")
    if is_ping(body):
        return ignored(OrderRef(SYSTEM, "ping", delivery), "WooCommerce's ping when the webhook was created")
    verify(body, headers, secret)
    topic = headers.get(TOPIC_HEADER, "").strip()
    if topic not in TOPICS:
        return ignored(OrderRef(SYSTEM, topic, delivery), f"WooCommerce topic '{topic}' is not one Mahnwerk acts on")
    return _order(load(body), topic, delivery, rules)


def _order(order: Fields, topic: str, delivery: str, rules: OrderRules) -> ShopEvent:  # noqa: PLR0911 - one per status
    order_id = order.identifier("id")
    ref = OrderRef(SYSTEM, topic, delivery, order_id, order.text("number") or order_id)
    status = order.text("status", required=True)
    currency = currency_code(order.text("currency", required=True), "currency")
    refunds = _refunds(order, currency)
    if status == "cancelled":
        return cancelled(ref, "cancelled in WooCommerce")
    if status == "refunded":
        return credited(ref, [*refunds, Credit(f"{order_id}:refunded")], currency, order_total=0)
    if status in rules.paid_statuses:
        return paid(ref, currency)
    if status in NOTHING_TO_DO:
        return ignored(ref, f"order status '{status}'")
    if _paid_on(order):
        return paid(ref, currency)
    method = order.text("payment_method")
    if not rules.is_invoice([method]):
        return ignored(ref, f"paid by {method or 'no method'}: not an invoice payment method")
    if refunds and topic == "order.updated":
        return credited(ref, refunds, currency)
    return placed(ref, _invoice(order, ref, currency, rules), is_update=topic == "order.updated")


def _invoice(order: Fields, ref: OrderRef, currency: str, rules: OrderRules) -> OrderInvoice:
    billing = order.obj("billing")
    shipping = order.obj("shipping")
    buyer = Buyer(
        email=billing.text("email"),
        first_name=billing.text("first_name"),
        last_name=billing.text("last_name"),
        company=billing.text("company"),
        phones=(billing.text("phone"), shipping.text("phone")),
        country=country_of(billing.text("country"), shipping.text("country")),
        locale=_language_meta(order),
    )
    debtor = debtor_of(buyer, rules.default_language, "billing.email")
    # date_created is the site's local time: the date printed on the shop's invoice.
    invoice_date = order.day("date_created") or order.required_day("date_created_gmt")
    return invoice_of(debtor, order.amount("total", currency), currency, invoice_date, ref.order_number, rules)


def _paid_on(order: Fields) -> date | None:
    """When WooCommerce recorded the payment, in the shop's time or in UTC, whichever the order carries."""
    return order.day("date_paid") or order.day("date_paid_gmt")


def _refunds(order: Fields, currency: str) -> list[Credit]:
    """WooCommerce lists refunds with negative totals ("-10.00")."""
    credits = []
    for refund in order.objects("refunds"):
        amount = abs(to_minor(refund.decimal("total"), currency, refund.at("total")))
        if amount:
            credits.append(Credit(refund.identifier("id"), amount))
    return credits


def _language_meta(order: Fields) -> str:
    for meta in order.objects("meta_data"):
        value = meta.get("value")
        if meta.get("key") in _LANGUAGE_META and isinstance(value, str):
            return value
    return ""
