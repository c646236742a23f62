"""The next step for a claim: which stage, on which channels, in which tone, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from .agreement import Dispute
from .contact_policy import next_allowed, reachable_channels
from .ladder import Channel, Stage, Tone
from .schedule import stage_due_at, start_of
from .segmentation import Segment

if TYPE_CHECKING:
    from .claim import Claim


class Action(StrEnum):
    CONTACT = "contact"  # wait until send_at (interruptibly), then run the stage's channels
    FINISH = "finish"  # nothing more to do: settled, cancelled, handed over or ladder exhausted
    HOLD = "hold"  # an agreement or dispute holds the ladder: wait for an event, or until `until`
    REVIEW = "review"  # an agreement's date has come: check it was kept (promise, instalment, pause)


@dataclass(frozen=True)
class Plan:
    action: Action
    stage: Stage | None = None
    stage_index: int | None = None
    channels: tuple[Channel, ...] = ()
    tone: Tone | None = None
    send_at: datetime | None = None
    reason: str = ""
    until: datetime | None = None  # HOLD: when the agreement needs looking at; None: only an event ends it


_FIRMER = (Tone.FRIENDLY, Tone.NEUTRAL, Tone.FIRM)
# Notices (confirmations, agreement reminders, thanks) go by email, so their reviews keep the email's window.
NOTICE_CHANNEL = Channel.EMAIL


def tone_for(stage: Stage, segment: Segment, boost: int = 0) -> Tone:
    """Businesses get the neutral register from the start; a broken promise or plan makes it firmer."""
    tone = Tone.NEUTRAL if segment == Segment.BUSINESS and stage.tone == Tone.FRIENDLY else stage.tone
    return _FIRMER[min(len(_FIRMER) - 1, _FIRMER.index(tone) + boost)]


def is_final_notice(stages: tuple[Stage, ...], stage: Stage) -> bool:
    """Only the ladder's own final notice may call itself one and announce the hand-over.

    That is the last message stage (the one before the agency, or the ladder's last), when the ladder
    itself makes it firm. A tone raised after a broken promise makes an earlier stage firmer, never final:
    the debtor is told "final notice" once, and it is true.
    """
    messages = [s for s in stages if not s.hands_over]
    return bool(messages) and stage == messages[-1] and stage.tone == Tone.FIRM


def _agreement_plan(claim: Claim, now: datetime) -> Plan | None:
    """An agreement is reviewed on its day, inside the debtor's contact window: the review may send a notice."""
    agreement = claim.agreement
    if isinstance(agreement, Dispute):
        return Plan(Action.HOLD, reason="disputed: the merchant decides")
    if agreement is None or agreement.review_on is None:
        return None
    due = start_of(agreement.review_on)
    wake = next_allowed(max(now, due), NOTICE_CHANNEL, claim.debtor.country)
    if now < due:
        return Plan(Action.HOLD, reason=f"{agreement.kind} in force", until=wake)
    if now < wake:
        return Plan(Action.HOLD, reason=f"{agreement.kind}: waiting for the contact window", until=wake)
    return Plan(Action.REVIEW, reason=f"{agreement.kind}: {agreement.review_day_name} reached")


def send_time(claim: Claim, index: int, channels: tuple[Channel, ...], now: datetime) -> datetime:
    """The earliest instant at or after `now` when the stage is due and each of its channels may reach the debtor.

    The planner waits for it; the send step checks the window again right before each channel sends (in_window).
    """
    due = max(now, stage_due_at(claim.stages, index, claim.schedule_anchor, claim.stage_completed_at))
    return max((next_allowed(due, c, claim.debtor.country) for c in channels), default=due)


def plan_next_step(claim: Claim, now: datetime, has_push_endpoint: bool = False) -> Plan:
    if claim.closed:
        return Plan(Action.FINISH, reason=f"claim is {claim.status}")
    if claim.ledger.settled:
        return Plan(Action.FINISH, reason="balance is zero")
    agreement = _agreement_plan(claim, now)
    if agreement is not None:
        return agreement
    if not claim.contactable:
        return Plan(Action.HOLD, reason=f"claim is {claim.status}")
    if claim.next_stage_index >= len(claim.stages):
        return Plan(Action.FINISH, reason="ladder exhausted")
    stage = claim.stages[claim.next_stage_index]
    channels = reachable_channels(stage.channels, claim.debtor, has_push_endpoint)
    send_at = send_time(claim, claim.next_stage_index, channels, now)
    return Plan(
        Action.CONTACT,
        stage=stage,
        stage_index=claim.next_stage_index,
        channels=channels,
        tone=tone_for(stage, claim.segment, claim.tone_boost),
        send_at=send_at,
        reason="no reachable channel" if not channels else "",
    )
