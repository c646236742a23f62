"""Inbound shop webhooks: verify the shop's signature, then turn its order event into a claim or a claim update.

Shops re-deliver webhooks (retries, replays by the merchant); no table of delivery ids is needed because every
action is idempotent by its own key: a new claim by its external id, a payment by `<system>#paid#<order id>`, a
credit by `<system>#credit#<refund id>`, a cancellation by the claim's status. A re-delivery finds its work done
and answers "duplicate" with the delivery id.

What a "paid" event records: the shop knows its order total, not the fees and interest Mahnwerk may have charged.
"Paid in full" therefore means the invoice as credited (the claim's principal); the amount recorded is that, or the
shop's paid total, minus what the claim's ledger already holds as paid. Charged fees stay open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.claim import Status, can_transition
from chalicelib.domain.errors import NotFoundError, SignatureError
from chalicelib.domain.shop_orders import OrderRules, ShopEventKind
from chalicelib.observability import logger
from chalicelib.services.claims import NewClaim, cancel_claim, create_claim
from chalicelib.services.payments import credit_claim, record_payment
from chalicelib.services.ports import PaymentRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.shop_orders import ShopEvent
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.payments import MoneyPorts
    from chalicelib.services.ports import ShopEventReader

SHOP_SYSTEMS = ("shopify", "woocommerce", "shopware", "generic")


class UnknownShopSystemError(NotFoundError):
    pass


def handle_shop_webhook(
    tenant: Tenant,
    system: str,
    headers: Mapping[str, str],
    body: bytes,
    readers: Mapping[str, ShopEventReader],
    money: MoneyPorts,
    pay_secret: str,
) -> dict[str, Any]:
    """The JSON answer for the shop: what was done (`action`), to which claim, or why nothing was.

    `readers` holds one reader per shop system (Container.shop_readers): which adapter reads which system is
    the composition root's choice.
    """
    reader = readers.get(system)
    if reader is None:
        raise UnknownShopSystemError(f"no shop system '{system}'")
    secret = tenant.webhook_secret(system)
    if not secret:
        raise SignatureError(f"the tenant has no webhook secret for {system}")
    event = reader(body, headers, secret, OrderRules.for_tenant(tenant, system))
    act = _ACTIONS.get(event.kind, _ignore)
    answer = act(_Context(tenant, event, money, pay_secret))
    logger.info(
        "shop webhook",
        tenant_id=tenant.tenant_id,
        system=system,
        topic=event.ref.topic,
        delivery_id=event.ref.delivery_id,
        action=answer["action"],
        claim_id=answer.get("claim_id"),
    )
    return {"received": True, "delivery_id": event.ref.delivery_id, **answer}


class _Context:
    def __init__(self, tenant: Tenant, event: ShopEvent, money: MoneyPorts, pay_secret: str) -> None:
        self.tenant = tenant
        self.event = event
        self.money = money
        self.claims = money.claims
        self.pay_secret = pay_secret

    @property
    def system(self) -> str:
        return self.event.ref.system

    def claim(self) -> Claim | None:
        claim_id = self.claims.find_by_external_id(self.tenant.tenant_id, self.event.ref.external_id)
        return None if claim_id is None else self.claims.get(claim_id, self.tenant.tenant_id)

    def already_applied(self, claim: Claim, payment_key: str) -> bool:
        return any(p["payment_key"] == payment_key for p in self.money.payments.payments(claim.claim_id))


def _answer(action: str, claim: Claim | None = None, reason: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = {"action": action}
    if claim is not None:
        answer |= {"claim_id": claim.claim_id, "status": str(claim.status), "balance": claim.ledger.balance}
    if reason:
        answer["reason"] = reason
    return answer


def _ignore(ctx: _Context) -> dict[str, Any]:
    return _answer("ignored", reason=ctx.event.reason)


def _no_claim() -> dict[str, Any]:
    return _answer("ignored", reason="no claim for this order")


def _place(ctx: _Context) -> dict[str, Any]:
    invoice = ctx.event.invoice
    if invoice is None:
        raise ValueError("an order_placed event without an invoice")
    command = NewClaim(
        external_id=ctx.event.ref.external_id,
        debtor=invoice.debtor,
        amount=invoice.amount,
        currency=invoice.currency,
        due_date=invoice.due_date,
        invoice_date=invoice.invoice_date,
        description=invoice.description,
    )
    money = ctx.money
    created = create_claim(command, ctx.tenant, money.claims, money.workflow, money.clock, ctx.pay_secret)
    if created.created:
        return _answer("claim_created", created.claim)
    return _answer("claim_exists" if ctx.event.is_update else "duplicate", created.claim)


def _pay(ctx: _Context) -> dict[str, Any]:
    claim = ctx.claim()
    if claim is None:
        return _no_claim()
    event = ctx.event
    if event.paid_total is None:
        key, target = f"{ctx.system}#paid#{event.ref.order_id}", claim.ledger.principal
    else:  # each new paid total is a payment of its own
        key, target = f"{ctx.system}#paid#{event.ref.order_id}#{event.paid_total}", event.paid_total
    if ctx.already_applied(claim, key):
        return _answer("duplicate", claim)
    amount = target - claim.ledger.paid
    if amount <= 0:
        return _answer("ignored", claim, "the claim's payments already cover what the shop says was paid")
    record = PaymentRecord(
        payment_key=key,
        amount=amount,
        currency=event.currency or claim.ledger.currency,
        provider=ctx.system,
        reference=event.ref.order_number,
    )
    outcome = record_payment(claim.claim_id, claim.tenant_id, record, ctx.money)
    return _answer("duplicate" if outcome.duplicate else "payment_recorded", outcome.claim)


def _cancel(ctx: _Context) -> dict[str, Any]:
    claim = ctx.claim()
    if claim is None:
        return _no_claim()
    if claim.status == Status.CANCELLED:
        return _answer("duplicate", claim)
    if not can_transition(claim.status, Status.CANCELLED):
        return _answer("ignored", claim, f"the claim is {claim.status}: there is nothing to cancel")
    money = ctx.money
    cancelled = cancel_claim(
        claim.claim_id, claim.tenant_id, ctx.event.reason, money.claims, money.workflow, money.clock
    )
    return _answer("claim_cancelled", cancelled)


def _credit(ctx: _Context) -> dict[str, Any]:
    claim = ctx.claim()
    if claim is None:
        return _no_claim()
    event = ctx.event
    applied = repeated = False
    for credit in event.credits:
        key = f"{ctx.system}#credit#{credit.credit_id}"
        amount = credit.amount if credit.amount is not None else claim.ledger.principal - event.order_total
        if amount <= 0:
            repeated = repeated or ctx.already_applied(claim, key)
            continue
        record = PaymentRecord(
            payment_key=key,
            amount=amount,
            currency=event.currency or claim.ledger.currency,
            provider=ctx.system,
            reference=credit.credit_id,
        )
        outcome = credit_claim(claim.claim_id, claim.tenant_id, record, ctx.money)
        claim = outcome.claim
        applied = applied or not outcome.duplicate
        repeated = repeated or outcome.duplicate
    if applied:
        return _answer("claim_credited", claim)
    if repeated:
        return _answer("duplicate", claim)
    return _answer("ignored", claim, "nothing left to credit")


_ACTIONS: dict[ShopEventKind, Callable[[_Context], dict[str, Any]]] = {
    ShopEventKind.ORDER_PLACED: _place,
    ShopEventKind.ORDER_PAID: _pay,
    ShopEventKind.ORDER_CANCELLED: _cancel,
    ShopEventKind.ORDER_CREDITED: _credit,
    ShopEventKind.IGNORED: _ignore,
}
