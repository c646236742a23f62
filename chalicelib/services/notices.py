"""Emails outside the ladder: confirmations of the debtor's actions, instalment reminders, thanks.

Each notice is sent at most once per key (the action and what it concerns), so a repeated form
submission or a retried step never sends it twice; a provider failure never undoes the action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import AlreadyDoneError, PermanentDeliveryError, TransientError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.instalments import Instalment
from chalicelib.domain.ladder import Channel
from chalicelib.domain.languages import written_in
from chalicelib.observability import count, logger
from chalicelib.services.pay_tokens import ContactLinks, pay_url
from chalicelib.services.ports import MessageDeliveryRepository, MessageSender, OutboundMessage, TimelineRepository

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.ports import PaymentRecord, TenantRepository


@dataclass(frozen=True)
class Notices:
    deliveries: MessageDeliveryRepository
    timeline: TimelineRepository
    senders: Mapping[Channel, MessageSender]
    clock: VirtualClock
    links: ContactLinks

    def send(self, kind: str, claim: Claim, tenant: Tenant, key: str, to_merchant: bool = False, **facts: Any) -> str:
        """Returns sent, already_sent or failed; raises TransientError only when `strict` callers must retry."""
        from chalicelib.messages.notices import NoticeContext, NoticeKind, render_notice

        language = tenant.default_language if to_merchant else claim.debtor.language
        ledger = claim.ledger
        context = NoticeContext(
            language=written_in(language),
            creditor_name=tenant.name,
            creditor_email=tenant.support_email,
            debtor_name=claim.debtor.name,
            external_id=claim.external_id,
            balance=ledger.money(ledger.balance),
            pay_url=pay_url(self.links.base_url, self.links.pay_secret, claim.claim_id),
            payment_reference=claim.payment_reference,
            **_typed(facts, ledger.currency),
        )
        rendered = render_notice(NoticeKind(kind), context)
        to = tenant.support_email if to_merchant else claim.debtor.email
        if not to:
            return "failed"
        message = OutboundMessage(
            claim_id=claim.claim_id,
            tenant_id=claim.tenant_id,
            stage=f"notice:{kind}",
            channel=Channel.EMAIL,
            to=to,
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            language=context.language,
            sender=tenant.name,
        )
        return self._deliver(claim, message, key)

    def _deliver(self, claim: Claim, message: OutboundMessage, key: str) -> str:
        try:
            self.deliveries.reserve_notice(claim.claim_id, key)
        except AlreadyDoneError:
            return "already_sent"
        data = {"stage": message.stage, "channel": str(Channel.EMAIL)}
        try:
            provider_id = self.senders[Channel.EMAIL].send(message)
        except (TransientError, PermanentDeliveryError) as exc:
            failed = Event(EventType.MESSAGE_FAILED, self.clock.now(), {**data, "error": str(exc)})
            self.timeline.append(claim.claim_id, claim.tenant_id, failed)
            logger.warning("notice not delivered", claim_id=claim.claim_id, notice=message.stage, error=str(exc))
            return "failed"
        sent = Event(EventType.MESSAGE_SENT, self.clock.now(), {**data, "to": message.to, "subject": message.subject})
        self.deliveries.complete_delivery(claim.claim_id, claim.tenant_id, "notice", key, provider_id, sent)
        count("MessagesSent", channel="notice")
        return "sent"


def _typed(facts: dict[str, Any], currency: str) -> dict[str, Any]:
    """Facts arrive as stored on the claim (ISO dates, dicts); the templates want dates, Money, Instalments."""
    return {name: _as_template_value(name, value, currency) for name, value in facts.items() if value is not None}


def _as_template_value(name: str, value: Any, currency: str) -> Any:
    from chalicelib.domain.money import Money

    if name in ("promise_date", "deadline", "pause_until") and isinstance(value, str):
        return date.fromisoformat(value)
    if name == "schedule":
        return tuple(v if isinstance(v, Instalment) else Instalment.from_dict(v) for v in value)
    if name == "instalment" and isinstance(value, dict):
        return Instalment.from_dict(value)
    if name == "paid" and isinstance(value, int):
        return Money(value, currency)
    return value


def thank_you(notices: Notices, tenants: TenantRepository) -> Callable[[Claim, PaymentRecord], None]:
    """The payment path's thank-you: once per claim, in the debtor's language."""

    def send(claim: Claim, payment: PaymentRecord) -> None:
        notices.send("thank_you", claim, tenants.get(claim.tenant_id), "thank-you", paid=payment.amount)

    return send
