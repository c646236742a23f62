"""Sending one stage's message on one channel: at most once, and never after the claim is settled."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.domain.contact_policy import in_window, next_allowed
from chalicelib.domain.decisions import is_final_notice, tone_for
from chalicelib.domain.errors import AlreadyDoneError, ClaimClosedError, PermanentDeliveryError, TransientError
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.interest import InterestPeriod
from chalicelib.domain.ladder import Channel, Stage
from chalicelib.domain.languages import written_in
from chalicelib.domain.schedule import due_after
from chalicelib.messages.context import FeeLine, MessageContext, PayLinkSent
from chalicelib.messages.render import render_message
from chalicelib.observability import count, logger
from chalicelib.services.charges import book_stage_charges
from chalicelib.services.pay_tokens import ContactLinks, pay_url
from chalicelib.services.ports import OutboundMessage

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from chalicelib.domain.claim import Claim
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.ports import (
        ClaimRepository,
        MessageDeliveryRepository,
        MessageSender,
        TenantRepository,
        TimelineRepository,
    )

# Channels whose message carries the pay link in writing (a notice's stage is "notice:<kind>", not a ladder stage).
_WRITTEN_LINK = frozenset({str(Channel.EMAIL), str(Channel.SMS), str(Channel.LETTER)})
_FEE_REASONS = {
    "reminder_fee": {"de": "Mahngebühr (Porto und Material)", "en": "Reminder fee (postage and material)"},
    "b2b_flat_fee": {
        "de": "Verzugspauschale nach § 288 Abs. 5 BGB",
        "en": "Late payment compensation (§ 288(5) BGB)",
    },
}


def send_contact(
    claim_id: str,
    tenant_id: str,
    stage_index: int,
    channel: Channel,
    claims: ClaimRepository,
    timeline: TimelineRepository,
    deliveries: MessageDeliveryRepository,
    tenants: TenantRepository,
    senders: Mapping[Channel, MessageSender],
    clock: VirtualClock,
    links: ContactLinks,
    send_at: datetime | None = None,
) -> str:
    """Returns what happened: sent, skipped (claim closed), already_sent (a retry), deferred or failed.

    `deferred` means "not now, plan again": the planned moment `send_at` is further off than a step waits, the
    contact window closed before the provider call, or the claim changed while the message was written.
    """
    claim = claims.get(claim_id, tenant_id)
    if claim.next_stage_index != stage_index:
        return "already_sent"
    if send_at is not None and not clock.wait_until(send_at):
        return "deferred"  # Step Functions waits whole seconds; only the fraction of one is this step's to wait
    stage = claim.stages[stage_index]
    claim = book_stage_charges(claim, stage, claims, clock)
    # Fee and interest lines come from the timeline, and a call names the message that carried the pay link;
    # most messages need neither, so skip the query then.
    wanted = claim.ledger.fees or claim.ledger.interest or channel == Channel.CALL
    history = timeline.events(claim_id) if wanted else []
    message = _message(claim, tenants.get(tenant_id), stage, channel, clock, links, history)
    try:
        # Invariants 1 and 2: the claim must still be contactable and this stage/channel unsent, checked in one
        # conditional write; the final read below narrows "no contact after settlement" to the provider call.
        deliveries.reserve_delivery(claim_id, stage.name, channel)
    except ClaimClosedError:
        timeline.append(claim_id, tenant_id, _event(clock, EventType.CONTACT_SKIPPED, stage, channel, reason="closed"))
        count("ContactBlocked", reason="claim_closed")
        return "skipped"
    except AlreadyDoneError:
        return "already_sent"
    return _send_reserved(claim, stage, channel, message, claims, timeline, deliveries, senders[channel], clock)


def _send_reserved(
    written: Claim,
    stage: Stage,
    channel: Channel,
    message: OutboundMessage,
    claims: ClaimRepository,
    timeline: TimelineRepository,
    deliveries: MessageDeliveryRepository,
    sender: MessageSender,
    clock: VirtualClock,
) -> str:
    """Read the claim once more and look at the clock, right before the provider call: the message's moment.

    Rendering and the reservation take time (on the local stack, virtual hours). A payment, an agreement, a
    change of balance or the end of the contact window in that time still wins; the slot is freed, so a
    claim that is dunned again later (a refund) or the same stage planned anew can still send.
    """
    claim_id, tenant_id = written.claim_id, written.tenant_id
    current = claims.get(claim_id, tenant_id)  # a consistent read
    if not current.contactable or current.agreement is not None:
        reason = "closed" if not current.contactable else "agreement"
        skipped = _event(clock, EventType.CONTACT_SKIPPED, stage, channel, reason=reason)
        deliveries.release_delivery(claim_id, tenant_id, stage.name, channel, skipped)
        count("ContactBlocked", reason=f"claim_{reason}")
        return "skipped"
    if current.version != written.version:
        changed = _event(clock, EventType.MESSAGE_DEFERRED, stage, channel, reason="claim_changed")
        deliveries.release_delivery(claim_id, tenant_id, stage.name, channel, changed)
        return "deferred"  # written for a claim that no longer is: the plan writes it again at once
    committed = clock.now()
    country = current.debtor.country
    if not in_window(committed, channel, country):
        opens = next_allowed(committed, channel, country).isoformat()
        deferred = Event(
            EventType.MESSAGE_DEFERRED,
            committed,
            {"stage": stage.name, "channel": str(channel), "reason": "quiet_hours", "until": opens},
        )
        deliveries.release_delivery(claim_id, tenant_id, stage.name, channel, deferred)
        count("ContactBlocked", reason="quiet_hours")
        return "deferred"
    try:
        provider_id = sender.send(replace(message, sent_at=committed))
    except TransientError as exc:
        failed = _event(clock, EventType.MESSAGE_FAILED, stage, channel, error=str(exc), retryable=True)
        deliveries.release_delivery(claim_id, tenant_id, stage.name, channel, failed)
        raise
    except PermanentDeliveryError as exc:
        failed = _event(clock, EventType.MESSAGE_FAILED, stage, channel, error=str(exc), retryable=False)
        timeline.append(claim_id, tenant_id, failed)
        logger.warning("message rejected for good", claim_id=claim_id, channel=str(channel), error=str(exc))
        return "failed"
    sent = Event(
        EventType.MESSAGE_SENT,
        committed,
        {
            "stage": stage.name,
            "channel": str(channel),
            "to": message.to,
            "subject": message.subject,
            "provider_id": provider_id,
            "balance": current.ledger.balance,
        },
    )
    deliveries.complete_delivery(claim_id, tenant_id, stage.name, channel, provider_id, sent)
    count("MessagesSent", channel=str(channel))
    return "sent"


def _event(clock: VirtualClock, kind: EventType, stage: Stage, channel: Channel, **data: object) -> Event:
    return Event(kind, clock.now(), {"stage": stage.name, "channel": str(channel), **data})


def _message(
    claim: Claim,
    tenant: Tenant,
    stage: Stage,
    channel: Channel,
    clock: VirtualClock,
    links: ContactLinks,
    history: Sequence[Event],
) -> OutboundMessage:
    context = message_context(claim, tenant, stage, channel, clock, links, history)
    rendered = render_message(context)
    to = {
        Channel.EMAIL: claim.debtor.email,
        Channel.SMS: claim.debtor.phone,
        Channel.CALL: claim.debtor.phone,
        Channel.LETTER: claim.debtor.name,
    }
    return OutboundMessage(
        claim_id=claim.claim_id,
        tenant_id=claim.tenant_id,
        stage=stage.name,
        channel=channel,
        to=to[channel],
        subject=rendered.subject,
        body=rendered.body,
        language=context.language,
        html=rendered.html,
        ssml=rendered.ssml,
        attachment=_letter_pdf(context) if channel == Channel.LETTER else None,
        sender=tenant.name,
    )


def _letter_pdf(context: MessageContext) -> bytes:
    from chalicelib.messages.letter import render_letter_pdf  # fpdf2 loads only where letters are made

    return render_letter_pdf(context)


def _handover_date(claim: Claim, stage: Stage, handover: Stage, clock: VirtualClock) -> date:
    """As the planner will schedule it: the ladder's date, or the full spacing after this message."""
    return due_after(claim.schedule_anchor, handover, stage, clock.now()).date()


def message_context(
    claim: Claim,
    tenant: Tenant,
    stage: Stage,
    channel: Channel,
    clock: VirtualClock,
    links: ContactLinks,
    history: Sequence[Event] = (),
) -> MessageContext:
    """What the debtor is shown: the ledger as booked, with every fee and interest period and its reason.

    `history` is the claim's timeline where the message needs it: the booked charges, and for a call the
    last message that carried the pay link.
    """
    language = written_in(claim.debtor.language)
    ledger = claim.ledger
    handover = next((s for s in claim.stages if s.hands_over), None)
    charged = [e for e in history if e.type == EventType.CHARGES_ADDED]
    fees = [fee for event in charged for fee in event.data.get("fees", [])]
    periods = [period for event in charged for period in event.data.get("interest", [])]
    return MessageContext(
        language=language,
        channel=channel,
        tone=tone_for(stage, claim.segment, claim.tone_boost),
        stage=stage.name,
        segment=claim.segment,
        today=clock.today(),
        creditor_name=tenant.name,
        creditor_address=tenant.address,
        creditor_email=tenant.support_email,
        debtor_name=claim.debtor.name,
        external_id=claim.external_id,
        description=claim.description,
        due_date=claim.due_date,
        principal=ledger.money(ledger.principal),
        fees=ledger.money(ledger.fees),
        interest=ledger.money(ledger.interest),
        paid=ledger.money(ledger.paid),
        balance=ledger.money(ledger.balance),
        payment_reference=claim.payment_reference,
        pay_url=pay_url(links.base_url, links.pay_secret, claim.claim_id),
        fee_lines=tuple(FeeLine(_FEE_REASONS[f["kind"]][language], ledger.money(int(f["amount"]))) for f in fees),
        interest_periods=tuple(_interest_period(p) for p in periods),
        handover_date=_handover_date(claim, stage, handover, clock) if handover else None,
        final_notice=is_final_notice(claim.stages, stage),
        pay_link_in=_last_pay_link(history),
    )


def _last_pay_link(history: Sequence[Event]) -> PayLinkSent | None:
    """The latest ladder message that carried the pay link in writing: what a call tells the debtor to look for."""
    for event in reversed(history):
        channel = event.data.get("channel")
        if event.type == EventType.MESSAGE_SENT and channel in _WRITTEN_LINK and ":" not in event.data["stage"]:
            return PayLinkSent(Channel(channel), event.at.date())
    return None


def _interest_period(row: dict[str, Any]) -> InterestPeriod:
    percent = Decimal(row["percent"]) if row.get("percent") is not None else None
    return InterestPeriod(date.fromisoformat(row["from"]), date.fromisoformat(row["to"]), percent, int(row["amount"]))
