"""Shop orders as Mahnwerk sees them: the events every shop system's webhooks map to, and the mapping rules they share.

Rules every shop system follows (Shopify, WooCommerce, Shopware, the generic format):

- The claim's external id is the system's name and the shop's order id: ``shopify:820982911946154508``.
- The amount is the order's total, tax and shipping included, in integer minor units of the order's currency;
  a decimal with more digits than the currency has (``"1.005"`` EUR, ``"12.5"`` JPY) is refused, never rounded.
- The invoice date is the order's date as the shop's calendar shows it; the due date comes from the order's own
  payment terms where the shop has them, else invoice date + the tenant's ``payment_days`` for that system (14).
- The debtor: an order with a company in its billing address is a business debtor named by the company (the letter
  and the formal tone address the firm, not the clerk who ordered); otherwise a consumer named by the billing name.
  The phone is normalised to E.164 with the billing country; a missing or invalid number becomes "" so the planner
  drops SMS and calls. The language is the customer's locale when it is German or English, else the tenant's.
- Only orders paid by one of the tenant's invoice methods become claims; others were paid at checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, Inexact, InvalidOperation, localcontext
from enum import StrEnum
from typing import TYPE_CHECKING

import phonenumbers
from babel.numbers import get_currency_precision

from .debtor import Debtor, DebtorKind
from .errors import InvalidInputError
from .languages import SUPPORTED, primary
from .money import MAX_AMOUNT, validate_currency

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .tenant import Tenant

DEFAULT_PAYMENT_DAYS = 14


class ShopEventKind(StrEnum):
    ORDER_PLACED = "order_placed"  # an order on account: hand it over as a claim
    ORDER_PAID = "order_paid"  # the shop saw the money
    ORDER_CANCELLED = "order_cancelled"
    ORDER_CREDITED = "order_credited"  # a refund or credit note lowers the invoice
    IGNORED = "ignored"  # acknowledged, nothing to do (reason says why)


@dataclass(frozen=True)
class OrderRules:
    """What the tenant configured for one shop system in ``Tenant.integrations[system]``."""

    system: str
    invoice_methods: frozenset[str] = frozenset()  # casefolded gateway / payment method names
    payment_days: int = DEFAULT_PAYMENT_DAYS
    default_language: str = "de"
    paid_statuses: frozenset[str] = frozenset({"completed"})  # WooCommerce statuses that mean "paid"

    @classmethod
    def for_tenant(cls, tenant: Tenant, system: str) -> OrderRules:
        config = tenant.integration(system)
        methods = [*config.get("invoice_gateways", []), *config.get("invoice_methods", [])]
        days = str(config.get("payment_days", DEFAULT_PAYMENT_DAYS))
        return cls(
            system=system,
            invoice_methods=frozenset(str(m).casefold() for m in methods),
            payment_days=int(days) if days.isascii() and days.isdigit() else DEFAULT_PAYMENT_DAYS,
            default_language=tenant.default_language,
            paid_statuses=frozenset(str(s) for s in config.get("paid_statuses", ["completed"])),
        )

    def is_invoice(self, methods: Iterable[str]) -> bool:
        """Names are compared without case: shops spell "Invoice" and "invoice" as their admins typed them."""
        return any(m and m.casefold() in self.invoice_methods for m in methods)


@dataclass(frozen=True)
class OrderRef:
    """Which order of which shop an event is about, and which delivery brought it."""

    system: str
    topic: str  # the shop's own name for the event: orders/create, order.updated, checkout.order.placed, …
    delivery_id: str = ""
    order_id: str = ""
    order_number: str = ""  # what people see: "#1001", "727", "10060"

    @property
    def external_id(self) -> str:
        return f"{self.system}:{self.order_id}"


@dataclass(frozen=True)
class OrderInvoice:
    """The claim an order on account becomes."""

    debtor: Debtor
    amount: int  # minor units, tax and shipping included
    currency: str
    invoice_date: date | None
    due_date: date
    description: str | None


@dataclass(frozen=True)
class Credit:
    credit_id: str  # the shop's refund / credit id: the idempotency key of the credit
    amount: int | None = None  # None: down to the order's current total (ShopEvent.order_total), e.g. a full refund


@dataclass(frozen=True)
class ShopEvent:
    kind: ShopEventKind
    ref: OrderRef
    invoice: OrderInvoice | None = None  # order_placed
    paid_total: int | None = None  # order_paid: the shop's paid total so far; None means paid in full
    currency: str = ""  # "" when the event names none: the claim's currency applies
    credits: tuple[Credit, ...] = ()  # order_credited
    order_total: int = 0  # order_credited: the order's total after the credit, for credits without an amount
    reason: str = ""  # ignored and cancelled: why
    is_update: bool = False  # order_placed: the shop re-sent a known order after a change, not a new order


def placed(ref: OrderRef, invoice: OrderInvoice, *, is_update: bool = False) -> ShopEvent:
    if invoice.amount <= 0:
        return ignored(ref, "the order total is zero: nothing to collect")
    return ShopEvent(ShopEventKind.ORDER_PLACED, ref, invoice=invoice, currency=invoice.currency, is_update=is_update)


def paid(ref: OrderRef, currency: str = "", paid_total: int | None = None) -> ShopEvent:
    return ShopEvent(ShopEventKind.ORDER_PAID, ref, paid_total=paid_total, currency=currency)


def cancelled(ref: OrderRef, reason: str) -> ShopEvent:
    return ShopEvent(ShopEventKind.ORDER_CANCELLED, ref, reason=reason)


def credited(ref: OrderRef, credits: Iterable[Credit], currency: str = "", order_total: int = 0) -> ShopEvent:
    return ShopEvent(
        ShopEventKind.ORDER_CREDITED, ref, credits=tuple(credits), currency=currency, order_total=order_total
    )


def ignored(ref: OrderRef, reason: str) -> ShopEvent:
    return ShopEvent(ShopEventKind.IGNORED, ref, reason=reason)


def to_minor(value: object, currency: str, field: str) -> int:
    """'388.00' USD → 38800, '1500' JPY → 1500; digits the currency does not have are refused, not rounded.

    '1E30' is a decimal too: beyond MAX_AMOUNT it is a mistake or an attack, never an order.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInputError(field, "must be a decimal amount")
    shown = str(value).strip()[:40]
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise InvalidInputError(field, f"'{shown}' is not a decimal amount") from exc
    if not amount.is_finite():
        raise InvalidInputError(field, f"'{shown}' is not a decimal amount")
    digits = get_currency_precision(currency)
    if abs(amount) > Decimal(MAX_AMOUNT).scaleb(-digits):
        raise InvalidInputError(field, f"{shown} {currency} is more than any order comes to")
    too_precise = InvalidInputError(field, f"{shown} has more decimals than {currency} has ({digits})")
    with localcontext() as exact:
        exact.traps[Inexact] = True  # a digit rounded away would be money rounded away
        try:
            minor = amount.scaleb(digits)
        except Inexact as exc:
            raise too_precise from exc
    if minor != minor.to_integral_value():
        raise too_precise
    return int(minor)


def currency_code(value: str, field: str) -> str:
    try:
        return validate_currency(value.strip().upper())
    except InvalidInputError as exc:
        raise InvalidInputError(field, exc.message) from exc


def e164(candidates: Iterable[str], country: str) -> str:
    """The first candidate that is a valid number, dialled from the billing country; "" when none is.

    Letters are not read as a keypad's digits: "555-555-SHIP" is a placeholder, not a number to send SMS to.
    """
    region = country if country in phonenumbers.SUPPORTED_REGIONS else None
    for raw in candidates:
        if not raw or not raw.strip() or any(c.isalpha() for c in raw):
            continue
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ""


def language_of(locale: str, default: str) -> str:
    """'de-DE', 'de_AT', 'de' → 'de'; 'en-GB' → 'en'; anything else → the tenant's language."""
    language = primary(locale)
    return language if language in SUPPORTED else default


def country_of(*candidates: str) -> str:
    """The first ISO 3166-1 alpha-2 code among the candidates (billing before shipping), upper-cased; "" if none."""
    for raw in candidates:
        code = (raw or "").strip().upper()
        if code in phonenumbers.SUPPORTED_REGIONS:
            return code
    return ""


@dataclass(frozen=True)
class Buyer:
    """Who ordered, as the shop describes them; `debtor_of` turns it into a Debtor by the module's rules."""

    email: str
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""  # when the shop gives the name as one string
    company: str = ""
    phones: tuple[str, ...] = ()  # best first: billing address, then customer
    country: str = ""
    locale: str = ""
    customer_since: date | None = None


def debtor_of(buyer: Buyer, default_language: str, email_field: str = "email") -> Debtor:
    email = buyer.email.strip()
    if "@" not in email.strip("@"):
        raise InvalidInputError(email_field, "the order has no email address to remind")
    person = " ".join(f"{buyer.first_name.strip()} {buyer.last_name.strip()}".split()) or buyer.full_name.strip()
    company = buyer.company.strip()
    return Debtor(
        name=company or person or email,
        email=email,
        phone=e164(buyer.phones, buyer.country),
        language=language_of(buyer.locale, default_language),
        kind=DebtorKind.BUSINESS if company else DebtorKind.CONSUMER,
        country=buyer.country,
        customer_since=buyer.customer_since,
    )


def order_description(number: str) -> str:
    return f"Order {number}" if number.startswith("#") else f"Order #{number}"


def invoice_of(
    debtor: Debtor,
    amount: int,
    currency: str,
    invoice_date: date,
    number: str,
    rules: OrderRules,
    terms_due: date | None = None,
) -> OrderInvoice:
    """Due by the order's own payment terms if it has them, else after the tenant's payment days."""
    due = terms_due or invoice_date + timedelta(days=rules.payment_days)
    return OrderInvoice(
        debtor=debtor,
        amount=amount,
        currency=currency,
        invoice_date=invoice_date,
        due_date=max(due, invoice_date),
        description=order_description(number),
    )
