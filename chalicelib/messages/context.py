"""Everything a message template may show, gathered once per contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.interest import InterestPeriod
from chalicelib.domain.ladder import Channel, Tone
from chalicelib.domain.money import Money
from chalicelib.domain.segmentation import Segment


@dataclass(frozen=True)
class FeeLine:
    reason: str  # e.g. "Mahngebühr (Porto und Material)" / "Reminder fee (postage and material)"
    amount: Money


@dataclass(frozen=True)
class PayLinkSent:
    """An earlier message that carried the pay link in writing: a call says where to find it."""

    channel: Channel  # email, SMS or letter
    on: date


@dataclass(frozen=True)
class MessageContext:
    language: str  # "de" or "en"; anything else falls back to "en"
    channel: Channel
    tone: Tone
    stage: str  # the ladder stage's name, e.g. "reminder", "final_notice"
    segment: Segment  # RELIABLE gets a wink in the first reminder
    today: date  # virtual today: the letter's date
    creditor_name: str
    creditor_address: str
    creditor_email: str
    debtor_name: str
    external_id: str  # the merchant's invoice / order number
    description: str | None
    due_date: date
    principal: Money
    fees: Money  # total of fee_lines
    interest: Money  # total of interest_periods
    paid: Money
    balance: Money
    payment_reference: str  # ISO 11649, e.g. "RF18K3J9X2ABCD"
    pay_url: str
    fee_lines: tuple[FeeLine, ...] = ()
    interest_periods: tuple[InterestPeriod, ...] = ()
    handover_date: date | None = None  # when the agency takes over, if the ladder hands over
    # The ladder's own final notice (domain.decisions.is_final_notice): only it is called one and announces the
    # hand-over; a tone raised after a broken promise never makes another stage final.
    final_notice: bool = False
    pay_link_in: PayLinkSent | None = None  # calls: the latest message with the pay link, if any
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str  # email subject; for SMS and calls a short label for the outbox
    body: str  # plain text (email text part, the SMS text, the call's spoken text)
    html: str | None = None  # email only
    ssml: str | None = None  # calls only
