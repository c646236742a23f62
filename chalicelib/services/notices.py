"""Emails outside the ladder: confirmations of the debtor's actions, instalment reminders, thanks.

A notice keeps the same contact policy as every ladder message: only inside the debtor's contact window
(08:00–20:00 in the debtor's time zone, no Sunday or public holiday), never to a debtor who opted out of
email (what was withheld and why goes on the timeline). A notice that may not go now is not dropped: it
waits on the `notices` queue for the window to open, as it does when its provider is down. Each notice is
sent at most once per key (the action and what it concerns), so a repeated form submission, a retried step
or a notice queued twice never sends it twice; a provider failure never undoes the action it confirms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.contact_policy import in_window, next_allowed, reachable_channels
from chalicelib.domain.decisions import NOTICE_CHANNEL
from chalicelib.domain.errors import AlreadyDoneError, ClaimNotFoundError, PermanentDeliveryError, TransientError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.instalments import Instalment
from chalicelib.domain.ladder import Channel
from chalicelib.domain.languages import written_in
from chalicelib.observability import count, logger
from chalicelib.services.pay_tokens import ContactLinks, pay_url
from chalicelib.services.ports import (
    MessageDeliveryRepository,
    MessageSender,
    NoticeQueue,
    OutboundMessage,
    QueuedNotice,
    TimelineRepository,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.ports import ClaimRepository, PaymentRecord, TenantRepository

# Notices about paying what is still open: once the claim is settled or closed, they would ask for nothing owed.
_FOR_OPEN_CLAIMS = frozenset(
    {
        "promise_confirmed",
        "promise_missed",
        "plan_confirmed",
        "instalment_upcoming",
        "instalment_late",
        "plan_broken",
        "pause_granted",
    }
)
# After a provider failure the notice is tried again after each of these (strategy time), then given up.
RETRY_AFTER: tuple[timedelta, ...] = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


@dataclass(frozen=True)
class Notices:
    deliveries: MessageDeliveryRepository
    timeline: TimelineRepository
    senders: Mapping[Channel, MessageSender]
    clock: VirtualClock
    links: ContactLinks
    queue: NoticeQueue

    def send(self, kind: str, claim: Claim, tenant: Tenant, key: str, to_merchant: bool = False, **facts: Any) -> str:
        """Returns sent, already_sent, deferred (queued for the window or a retry), withheld, skipped or failed.

        Raises TransientError only when even the queue refuses a notice that cannot go now, so the caller's own
        retry (the state machine's, SQS's, the debtor's second submit) repeats it rather than losing it.
        """
        asked = self.clock.now().isoformat()
        request = QueuedNotice(claim.claim_id, claim.tenant_id, kind, key, 0.0, _plain(facts), to_merchant, 0, asked)
        return self._send(request, claim, tenant)

    def send_queued(self, queued: QueuedNotice, claims: ClaimRepository, tenants: TenantRepository) -> str:
        """The `notices` queue hands a notice back: wait on if it is early, else send it as the claim is now."""
        wait = queued.not_before - self.clock.real_now().timestamp()
        if wait >= 1:
            self.queue.enqueue(queued, math.floor(wait))  # SQS hides a message for 15 minutes at most
            return "waiting"
        if wait > 0:
            self.clock.sleep(wait)  # SQS delays are whole seconds; the fraction is waited here
        try:
            claim = claims.get(queued.claim_id, queued.tenant_id)
        except ClaimNotFoundError:
            return "gone"
        return self._send(queued, claim, tenants.get(queued.tenant_id))

    def _send(self, request: QueuedNotice, claim: Claim, tenant: Tenant) -> str:
        stage = f"notice:{request.kind}"
        if not request.to_merchant:
            held = self._held_back(request, claim, stage)
            if held:
                return held
        message = self._message(request, claim, tenant, stage)
        if message is None:
            return "failed"  # a merchant without a support address: nobody to forward to
        try:
            self.deliveries.reserve_notice(claim.claim_id, request.key)
        except AlreadyDoneError:
            return "already_sent"
        committed = self.clock.now()  # the notice's moment: right before the provider call
        if not request.to_merchant and not in_window(committed, NOTICE_CHANNEL, claim.debtor.country):
            deferred, opens = self._deferral(request, stage, committed, claim.debtor.country)
            self.deliveries.release_delivery(claim.claim_id, claim.tenant_id, "notice", request.key, deferred)
            self._enqueue(request, opens)
            return "deferred"
        return self._deliver(request, claim, replace(message, sent_at=committed))

    def _held_back(self, request: QueuedNotice, claim: Claim, stage: str) -> str | None:
        """Why a notice to the debtor does not go now, having recorded it; None when it may go."""
        data = {"stage": stage, "channel": str(NOTICE_CHANNEL), "key": request.key}
        now = self.clock.now()
        if request.kind in _FOR_OPEN_CLAIMS and (claim.closed or claim.ledger.settled):
            skipped = Event(EventType.CONTACT_SKIPPED, now, {**data, "reason": "closed"})
            self.timeline.append(claim.claim_id, claim.tenant_id, skipped)
            return "skipped"
        if _overtaken(request, now.date()):
            skipped = Event(EventType.CONTACT_SKIPPED, now, {**data, "reason": "overtaken"})
            self.timeline.append(claim.claim_id, claim.tenant_id, skipped)
            return "skipped"
        if not reachable_channels((NOTICE_CHANNEL,), claim.debtor):
            try:
                self.deliveries.reserve_notice(claim.claim_id, request.key)  # withheld once, however often asked
            except AlreadyDoneError:
                return "already_sent"
            reason = "opted_out" if NOTICE_CHANNEL in claim.debtor.opt_outs else "no_address"
            withheld = Event(EventType.CONTACT_SKIPPED, now, {**data, "reason": reason})
            self.timeline.append(claim.claim_id, claim.tenant_id, withheld)
            count("ContactBlocked", reason=reason)
            return "withheld"
        if in_window(now, NOTICE_CHANNEL, claim.debtor.country):
            return None
        deferred, opens = self._deferral(request, stage, now, claim.debtor.country)
        self._enqueue(request, opens)
        if not self._deferred_before(claim.claim_id, request.key):
            self.timeline.append(claim.claim_id, claim.tenant_id, deferred)
        return "deferred"

    def _message(self, request: QueuedNotice, claim: Claim, tenant: Tenant, stage: str) -> OutboundMessage | None:
        from chalicelib.messages.notices import NoticeContext, NoticeKind, render_notice

        language = tenant.default_language if request.to_merchant else claim.debtor.language
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
            **_typed(request.facts, ledger.currency),
        )
        rendered = render_notice(NoticeKind(request.kind), context)
        to = tenant.support_email if request.to_merchant else claim.debtor.email
        if not to:
            return None
        return OutboundMessage(
            claim_id=claim.claim_id,
            tenant_id=claim.tenant_id,
            stage=stage,
            channel=Channel.EMAIL,
            to=to,
            subject=rendered.subject,
            body=rendered.body,
            html=rendered.html,
            language=context.language,
            sender=tenant.name,
        )

    def _deliver(self, request: QueuedNotice, claim: Claim, message: OutboundMessage) -> str:
        data = {"stage": message.stage, "channel": str(Channel.EMAIL)}
        try:
            provider_id = self.senders[Channel.EMAIL].send(message)
        except TransientError as exc:
            return self._retry_later(request, claim, message, exc)
        except PermanentDeliveryError as exc:
            failed = Event(EventType.MESSAGE_FAILED, self.clock.now(), {**data, "error": str(exc), "retryable": False})
            self.timeline.append(claim.claim_id, claim.tenant_id, failed)
            logger.warning("notice not delivered", claim_id=claim.claim_id, notice=message.stage, error=str(exc))
            return "failed"
        sent = Event(
            EventType.MESSAGE_SENT,
            message.sent_at or self.clock.now(),
            {**data, "to": message.to, "subject": message.subject},
        )
        self.deliveries.complete_delivery(claim.claim_id, claim.tenant_id, "notice", request.key, provider_id, sent)
        count("MessagesSent", channel="notice")
        return "sent"

    def _retry_later(self, request: QueuedNotice, claim: Claim, message: OutboundMessage, exc: Exception) -> str:
        """The provider is down: free the notice's key and queue it again, until the retries run out."""
        retryable = request.failures < len(RETRY_AFTER)
        data = {"stage": message.stage, "channel": str(Channel.EMAIL), "error": str(exc), "retryable": retryable}
        failed = Event(EventType.MESSAGE_FAILED, self.clock.now(), data)
        if not retryable:
            self.timeline.append(claim.claim_id, claim.tenant_id, failed)  # the key stays taken: given up for good
            logger.warning("notice given up", claim_id=claim.claim_id, notice=message.stage, error=str(exc))
            return "failed"
        self.deliveries.release_delivery(claim.claim_id, claim.tenant_id, "notice", request.key, failed)
        again = replace(request, failures=request.failures + 1)
        self._enqueue(again, self.clock.now() + RETRY_AFTER[request.failures])
        logger.warning("notice queued for a retry", claim_id=claim.claim_id, notice=message.stage, error=str(exc))
        return "deferred"

    def _deferral(self, request: QueuedNotice, stage: str, at: datetime, country: str) -> tuple[Event, datetime]:
        """The timeline's note that the notice waits for the window, and when the window opens."""
        opens = next_allowed(at, NOTICE_CHANNEL, country)
        data = {"stage": stage, "channel": str(NOTICE_CHANNEL), "key": request.key, "reason": "quiet_hours"}
        count("ContactBlocked", reason="quiet_hours")
        return Event(EventType.MESSAGE_DEFERRED, at, {**data, "until": opens.isoformat()}), opens

    def _deferred_before(self, claim_id: str, key: str) -> bool:
        """A form submitted twice at night queues its notice twice (sent once), but the timeline says it once."""
        return any(
            e.type == EventType.MESSAGE_DEFERRED and e.data.get("key") == key for e in self.timeline.events(claim_id)
        )

    def _enqueue(self, request: QueuedNotice, not_before: datetime) -> None:
        due = self.clock.to_real(not_before).timestamp()
        queued = replace(request, not_before=due)
        self.queue.enqueue(queued, max(0, math.floor(due - self.clock.real_now().timestamp())))


def _overtaken(request: QueuedNotice, today: date) -> bool:
    """A notice about a day to come that waited (for the window, or its provider) until that day had passed.

    By then a reminder of an upcoming instalment would announce what is already due, and a promise's
    confirmation would arrive with, or after, the notice that it was missed: the later notices speak for them.
    """
    if request.kind == "instalment_upcoming" and "instalment" in request.facts:
        return Instalment.from_dict(request.facts["instalment"]).due < today
    if request.kind == "promise_confirmed" and "promise_date" in request.facts:
        return date.fromisoformat(str(request.facts["promise_date"])) < today
    return False


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts as JSON values, the form they are stored and queued in; `_typed` reads them back."""
    return {name: _as_plain(value) for name, value in facts.items() if value is not None}


def _as_plain(value: Any) -> Any:
    if isinstance(value, Instalment):
        return value.to_dict()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_as_plain(v) for v in value]
    return value


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
