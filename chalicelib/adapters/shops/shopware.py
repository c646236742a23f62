"""Shopware 6 app-system webhooks: the shopware-shop-signature, and the order events as ShopEvents.

The body is ``{"data": {"payload": {"order": {…}}, "event": "…"}, "source": {"url", "appVersion", "shopId",
"eventId"}, "timestamp"}``; the order is the Admin API's JSON of the order entity with the associations the event
loaded (checkout.order.placed: orderCustomer.customer, addresses.country, currency, transactions.paymentMethod,
transactions.stateMachineState, …). Events:

- checkout.order.placed: a claim when the active (latest) transaction's payment method is one of the tenant's
  invoice methods, compared with its technicalName ("payment_invoicepayment"), shortName ("invoice_payment"),
  formattedHandlerIdentifier and handlerIdentifier. Amount: amountTotal (gross, shipping included).
- state_enter.order_transaction.state.paid: paid in full; state_enter.order.state.cancelled: cancelled.
- state_enter.order_transaction.state.refunded: credited in full.
- state_enter.order_transaction.state.refunded_partially: the refunds the payload lists (transactions' captures'
  refunds), else — Shopware sends no amount — whatever brings the claim down to the order's amountTotal after the
  merchant edited the order; an unchanged order credits nothing.

eventId stays the same when Shopware retries a delivery; it is the delivery id. The signature has no timestamp of
its own and Shopware retries for hours, so old deliveries are not refused: every action is idempotent anyway.
"""

from __future__ import annotations

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
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalicelib.domain.shop_orders import OrderRules, ShopEvent

SYSTEM = "shopware"
SIGNATURE_HEADER = "shopware-shop-signature"
USER_LANGUAGE_HEADER = "sw-user-language"  # since 6.4.5: the locale of the context that fired the event
PLACED = "checkout.order.placed"
TRANSACTION_PAID = "state_enter.order_transaction.state.paid"
ORDER_CANCELLED = "state_enter.order.state.cancelled"
TRANSACTION_REFUNDED = "state_enter.order_transaction.state.refunded"
TRANSACTION_REFUNDED_PARTIALLY = "state_enter.order_transaction.state.refunded_partially"


def sign(body: bytes, secret: str) -> str:
    return hmac_sha256(secret, body).hex()


def verify(body: bytes, headers: Mapping[str, str], secret: str) -> None:
    """Hex HMAC-SHA256 of the raw body with the secret the app assigned the shop at registration."""
    given = lower_keys(headers).get(SIGNATURE_HEADER, "").strip().lower()
    require_same(sign(body, secret), given, "shopware-shop-signature")


def read(body: bytes, headers: Mapping[str, str], secret: str, rules: OrderRules) -> ShopEvent:
    """Verify first; only a signed body is parsed."""
    verify(body, headers, secret)
    envelope = load(body)
    data = envelope.obj("data", required=True)
    event = data.text("event", required=True)
    delivery = envelope.obj("source").text("eventId")
    mapper = _EVENTS.get(event)
    if mapper is None:
        return ignored(OrderRef(SYSTEM, event, delivery), f"Shopware event '{event}' is not one Mahnwerk acts on")
    order = data.obj("payload", required=True).obj("order", required=True)
    order_id = order.identifier("id")
    ref = OrderRef(SYSTEM, event, delivery, order_id, order.text("orderNumber") or order_id)
    return mapper(order, ref, rules, lower_keys(headers).get(USER_LANGUAGE_HEADER, ""))


def _transaction(order: Fields) -> Fields:
    """Shopware sorts an order's transactions by creation; the last one is the one in force."""
    transactions = order.objects("transactions")
    if not transactions:
        return Fields({}, order.at("transactions"))
    return transactions[-1]


def _currency(order: Fields, *, required: bool = False) -> str:
    code = order.obj("currency").text("isoCode", required=required)
    return currency_code(code, order.at("currency.isoCode")) if code else ""


def _placed(order: Fields, ref: OrderRef, rules: OrderRules, user_language: str) -> ShopEvent:
    transaction = _transaction(order)
    method = transaction.obj("paymentMethod")
    names = [method.text(k) for k in ("technicalName", "shortName", "formattedHandlerIdentifier", "handlerIdentifier")]
    if not rules.is_invoice(names):
        label = method.text("technicalName") or method.text("name") or "no payment method"
        return ignored(ref, f"paid by {label}: not an invoice payment method")
    if transaction.obj("stateMachineState").text("technicalName") == "paid":
        return ignored(ref, "already paid at checkout")
    currency = _currency(order, required=True)
    address = _billing_address(order)
    customer = order.obj("orderCustomer")
    account = customer.obj("customer")
    buyer = Buyer(
        email=customer.text("email"),
        first_name=address.text("firstName") or customer.text("firstName"),
        last_name=address.text("lastName") or customer.text("lastName"),
        company=address.text("company") or customer.text("company"),
        phones=(address.text("phoneNumber"), account.text("phoneNumber")),
        country=country_of(address.obj("country").text("iso")),
        locale=order.obj("language").obj("locale").text("code") or user_language,
        customer_since=None if account.get("guest") else account.day("createdAt"),
    )
    debtor = debtor_of(buyer, rules.default_language, customer.at("email"))
    invoice_date = order.day("orderDateTime") or order.required_day("orderDate")
    amount = order.amount("amountTotal", currency)
    return placed(ref, invoice_of(debtor, amount, currency, invoice_date, ref.order_number, rules))


def _billing_address(order: Fields) -> Fields:
    """The billingAddress association when loaded, else the order address it points at."""
    billing = order.obj("billingAddress")
    if billing:
        return billing
    billing_id = order.text("billingAddressId")
    addresses = order.objects("addresses")
    for address in addresses:
        if address.text("id") == billing_id:
            return address
    return addresses[0] if addresses else billing


def _paid(order: Fields, ref: OrderRef, _rules: OrderRules, _language: str) -> ShopEvent:
    return paid(ref, _currency(order))


def _cancelled(order: Fields, ref: OrderRef, _rules: OrderRules, _language: str) -> ShopEvent:
    return cancelled(ref, "cancelled in Shopware")


def _refunded(order: Fields, ref: OrderRef, _rules: OrderRules, _language: str) -> ShopEvent:
    transaction_id = _transaction(order).text("id") or ref.order_id
    return credited(ref, [Credit(f"{transaction_id}:refunded")], _currency(order), order_total=0)


def _refunded_partially(order: Fields, ref: OrderRef, _rules: OrderRules, _language: str) -> ShopEvent:
    currency = _currency(order, required=True)
    refunds = [
        Credit(refund.identifier("id"), refund.obj("amount", required=True).amount("totalPrice", currency))
        for transaction in order.objects("transactions")
        for capture in transaction.objects("captures")
        for refund in capture.objects("refunds")
        if refund.obj("stateMachineState").text("technicalName") in ("", "completed")
    ]
    if refunds:
        return credited(ref, refunds, currency)
    total = order.amount("amountTotal", currency)
    transaction_id = _transaction(order).text("id") or ref.order_id
    return credited(ref, [Credit(f"{transaction_id}:down-to:{total}")], currency, order_total=total)


_EVENTS: dict[str, Callable[[Fields, OrderRef, OrderRules, str], ShopEvent]] = {
    PLACED: _placed,
    TRANSACTION_PAID: _paid,
    ORDER_CANCELLED: _cancelled,
    TRANSACTION_REFUNDED: _refunded,
    TRANSACTION_REFUNDED_PARTIALLY: _refunded_partially,
}
