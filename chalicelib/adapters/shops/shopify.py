"""Shopify webhooks: the X-Shopify-Hmac-Sha256 signature, and orders/create, orders/paid, orders/cancelled and
refunds/create as ShopEvents.

- orders/create is a claim when one of the order's payment_gateway_names is one of the tenant's invoice gateways
  (e.g. "manual", "Invoice") and the order is still pending or authorized. The amount is the total the customer saw
  (total_price_set.presentment_money: line items less discounts, plus shipping and tax); payment_terms, where the
  order has them (B2B net terms), give the due date.
- orders/paid is sent when the order's financial status becomes "paid": the invoice is paid in full.
- refunds/create credits the value of the refund: its line items with their tax, plus its order adjustments
  (refunded shipping and discrepancies, which Shopify signs negative); a refund of money alone (no items, no
  adjustments) credits its successful refund transactions.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import TYPE_CHECKING

from chalicelib.adapters.shops.payload import Fields, hmac_sha256, load, lower_keys, require_same
from chalicelib.domain.errors import InvalidInputError
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
    from collections.abc import Callable, Mapping
    from datetime import date

    from chalicelib.domain.debtor import Debtor
    from chalicelib.domain.shop_orders import OrderRules, ShopEvent

SYSTEM = "shopify"
SIGNATURE_HEADER = "x-shopify-hmac-sha256"
TOPIC_HEADER = "x-shopify-topic"
WEBHOOK_ID_HEADER = "x-shopify-webhook-id"
EVENT_ID_HEADER = "x-shopify-event-id"  # newer API versions: one id per event, whichever subscription gets it
OPEN_STATUSES = frozenset({"pending", "authorized"})


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac_sha256(secret, body)).decode()


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> None:
    """Base64 HMAC-SHA256 of the raw body with the app's (or the store's webhook) secret."""
    require_same(sign(body, secret), lower_keys(headers).get(SIGNATURE_HEADER, "").strip(), "X-Shopify-Hmac-Sha256")


def read(body: bytes, headers: Mapping[str, str], secret: str, rules: OrderRules) -> ShopEvent:
    """Verify first; only a signed body is parsed."""
    verify(body, headers, secret)
    headers = lower_keys(headers)
    topic = headers.get(TOPIC_HEADER, "").strip()
    delivery = headers.get(WEBHOOK_ID_HEADER) or headers.get(EVENT_ID_HEADER, "")
    mapper = _TOPICS.get(topic)
    if mapper is None:
        return ignored(OrderRef(SYSTEM, topic, delivery), f"Shopify topic '{topic}' is not one Mahnwerk acts on")
    return mapper(load(body), topic, delivery, rules)


def _ref(order: Fields, topic: str, delivery: str) -> OrderRef:
    order_id = order.identifier("id")
    return OrderRef(SYSTEM, topic, delivery, order_id, order.text("name") or order_id)


def _order_created(order: Fields, topic: str, delivery: str, rules: OrderRules) -> ShopEvent:
    ref = _ref(order, topic, delivery)
    gateways = order.strings("payment_gateway_names")
    if not any(gateways):  # orders an app or the admin created without any payment
        return ignored(ref, "the order names no payment gateway: not an invoice payment method")
    if not rules.is_invoice(gateways):
        return ignored(ref, f"paid by {', '.join(g for g in gateways if g)}: not an invoice payment method")
    if order.text("cancelled_at"):
        return ignored(ref, "the order is cancelled")
    status = order.text("financial_status")
    if status == "paid":
        return ignored(ref, "already paid at checkout")
    if status not in OPEN_STATUSES:
        return ignored(ref, f"financial status '{status}': nothing to collect")
    total = order.obj("total_price_set").obj("presentment_money")
    if total:
        currency = currency_code(total.text("currency_code", required=True), total.at("currency_code"))
        amount = total.amount("amount", currency)
    else:
        currency = currency_code(order.text("currency", required=True), "currency")
        amount = order.amount("total_price", currency)
    invoice_date = order.day("processed_at") or order.required_day("created_at")
    debtor = _debtor(order, rules)
    invoice = invoice_of(debtor, amount, currency, invoice_date, ref.order_number, rules, _terms_due(order))
    return placed(ref, invoice)


def _debtor(order: Fields, rules: OrderRules) -> Debtor:
    billing = order.obj("billing_address")
    shipping = order.obj("shipping_address")
    customer = order.obj("customer")
    email = order.text("email") or order.text("contact_email") or customer.text("email")
    country = country_of(billing.text("country_code"), shipping.text("country_code"))
    buyer = Buyer(
        email=email,
        first_name=billing.text("first_name") or customer.text("first_name"),
        last_name=billing.text("last_name") or customer.text("last_name"),
        full_name=billing.text("name"),
        company=billing.text("company"),
        phones=(billing.text("phone"), order.text("phone"), customer.text("phone")),
        country=country,
        locale=order.text("customer_locale"),
        customer_since=customer.day("created_at"),
    )
    return debtor_of(buyer, rules.default_language, "email")


def _terms_due(order: Fields) -> date | None:
    schedules = order.obj("payment_terms").objects("payment_schedules")
    return schedules[0].day("due_at") if schedules else None


def _order_paid(order: Fields, topic: str, delivery: str, _rules: OrderRules) -> ShopEvent:
    return paid(_ref(order, topic, delivery), _presentment_currency(order))


def _order_cancelled(order: Fields, topic: str, delivery: str, _rules: OrderRules) -> ShopEvent:
    reason = order.text("cancel_reason")
    return cancelled(
        _ref(order, topic, delivery), f"cancelled in Shopify ({reason})" if reason else "cancelled in Shopify"
    )


def _refund_created(refund: Fields, topic: str, delivery: str, _rules: OrderRules) -> ShopEvent:
    order_id = refund.identifier("order_id")
    ref = OrderRef(SYSTEM, topic, delivery, order_id, order_id)
    refund_id = refund.identifier("id")
    value = _goods_value(refund)
    if value is None:
        value = _money_refunded(refund)
    if value <= 0:
        return ignored(ref, "the refund credits nothing")
    currency = _refund_currency(refund)
    return credited(ref, [Credit(refund_id, to_minor(value, currency, "refund_line_items"))], currency)


def _money(item: Fields, key: str) -> Decimal:
    """The customer's currency where Shopify gives it (`<key>_set.presentment_money`), else the plain field."""
    presentment = item.obj(f"{key}_set").obj("presentment_money")
    return presentment.decimal("amount") if presentment else item.decimal(key)


def _goods_value(refund: Fields) -> Decimal | None:
    lines = refund.objects("refund_line_items")
    adjustments = refund.objects("order_adjustments")
    if not lines and not adjustments:
        return None
    goods = sum((_money(line, "subtotal") + _money(line, "total_tax") for line in lines), Decimal(0))
    adjusted = sum((_money(a, "amount") + _money(a, "tax_amount") for a in adjustments), Decimal(0))
    return goods - adjusted


def _money_refunded(refund: Fields) -> Decimal:
    return sum(
        (
            t.decimal("amount")
            for t in refund.objects("transactions")
            if t.text("kind") == "refund" and t.text("status") == "success"
        ),
        Decimal(0),
    )


def _refund_currency(refund: Fields) -> str:
    """The customer's currency, from whichever part of the refund names it."""
    named = [
        *(line.obj("subtotal_set").obj("presentment_money") for line in refund.objects("refund_line_items")),
        *(a.obj("amount_set").obj("presentment_money") for a in refund.objects("order_adjustments")),
    ]
    for money in named:
        if money.text("currency_code"):
            return currency_code(money.text("currency_code"), money.at("currency_code"))
    for transaction in refund.objects("transactions"):
        if transaction.text("currency"):
            return currency_code(transaction.text("currency"), transaction.at("currency"))
    raise InvalidInputError("refund_line_items", "the refund names no currency")


def _presentment_currency(order: Fields) -> str:
    code = order.text("presentment_currency") or order.text("currency")
    return currency_code(code, "presentment_currency") if code else ""


_TOPICS: dict[str, Callable[[Fields, str, str, OrderRules], ShopEvent]] = {
    "orders/create": _order_created,
    "orders/paid": _order_paid,
    "orders/cancelled": _order_cancelled,
    "refunds/create": _refund_created,
}
