"""Short emails that confirm a debtor's self-service action or accompany an agreement, and forward their messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from chalicelib.domain.disputes import DisputeOutcome
from chalicelib.domain.instalments import Instalment
from chalicelib.domain.money import Money
from chalicelib.domain.payment_reference import pretty
from chalicelib.messages.context import RenderedMessage
from chalicelib.messages.formatting import format_day, squash, tidy_lines
from chalicelib.messages.render import Row, language_of


class NoticeKind(StrEnum):
    PROMISE_CONFIRMED = "promise_confirmed"
    PROMISE_MISSED = "promise_missed"
    PLAN_CONFIRMED = "plan_confirmed"
    INSTALMENT_UPCOMING = "instalment_upcoming"
    INSTALMENT_LATE = "instalment_late"
    PLAN_BROKEN = "plan_broken"
    DISPUTE_RECEIVED = "dispute_received"
    DISPUTE_RESOLVED = "dispute_resolved"
    PAUSE_GRANTED = "pause_granted"
    THANK_YOU = "thank_you"
    CONTACT_FORWARDED = "contact_forwarded"  # to the merchant's support address, in the tenant's language


@dataclass(frozen=True)
class NoticeContext:
    language: str  # the debtor's; for contact_forwarded the tenant's. Anything without a wording file gets English
    creditor_name: str
    creditor_email: str
    debtor_name: str
    external_id: str  # the merchant's invoice / order number
    balance: Money  # what is open now; after an adjustment, the new balance
    pay_url: str
    payment_reference: str  # ISO 11649, e.g. "RF18K3J9X2ABCD"
    promise_date: date | None = None
    deadline: date | None = None  # instalment_late: the new date for the missed instalment
    schedule: tuple[Instalment, ...] = ()
    instalment: Instalment | None = None
    pause_until: date | None = None  # the day reminders resume
    dispute_reason: str | None = None  # a DisputeReason value; other text is shown as given
    outcome: str | None = None  # a DisputeOutcome value
    message: str | None = None  # the debtor's own words: quoted, never interpreted
    paid: Money | None = None


# Babel locale and date style per wording file, as in the dunning messages: de "24.12.2026", en "24 December 2026".
# What each kind cannot be written without; checked up front so a missing field names itself.
_REQUIRED: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.PROMISE_CONFIRMED: ("promise_date",),
    NoticeKind.PROMISE_MISSED: ("promise_date",),
    NoticeKind.PLAN_CONFIRMED: ("schedule",),
    NoticeKind.INSTALMENT_UPCOMING: ("instalment",),
    NoticeKind.INSTALMENT_LATE: ("instalment", "deadline"),
    NoticeKind.DISPUTE_RESOLVED: ("outcome",),
    NoticeKind.PAUSE_GRANTED: ("pause_until",),
    NoticeKind.THANK_YOU: ("paid",),
    NoticeKind.CONTACT_FORWARDED: ("message",),
}
# The debtor has nothing left to do after a thank-you; the merchant must not get the debtor's pay link.
_WITHOUT_PAY_LINK = frozenset({NoticeKind.THANK_YOU, NoticeKind.CONTACT_FORWARDED})
_QUOTING = frozenset({NoticeKind.DISPUTE_RECEIVED, NoticeKind.CONTACT_FORWARDED})
_PARTS = ("title", "subject", "salutation", "quote_intro", "pay_intro", "pay_button", "closing", "signature")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@cache
def _env() -> Environment:
    # Same policy as the dunning messages: the HTML layout escapes every value, plain text stays as written.
    return Environment(
        loader=PackageLoader("chalicelib.messages", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_notice(kind: NoticeKind, ctx: NoticeContext) -> RenderedMessage:
    """One entry point for every notice, so each confirms in the same voice and layout as the others.

    The wording is rendered to plain strings first and only then placed in the layouts, so the HTML
    escapes the debtor's name and message like any other value.
    """
    kind = NoticeKind(kind)  # a workflow task hands over the plain string from its input
    _check(kind, ctx)
    language = language_of(ctx.language)
    values = _values(kind, ctx, language)
    wording = _env().get_template(f"notices/{language}.j2").make_module(values)
    texts = {part: squash(str(getattr(wording, part)())) for part in _PARTS}
    paragraphs = [squash(p) for p in _PARAGRAPH_BREAK.split(str(getattr(wording, kind)()))]
    quote = ctx.message.strip() if ctx.message and kind in _QUOTING else None
    context = {
        **values,
        "t": texts,
        "labels": dict(wording.labels),  # type: ignore[attr-defined]
        "paragraphs": [p for p in paragraphs if p],
        "rows": _schedule_rows(ctx, language, wording) if kind is NoticeKind.PLAN_CONFIRMED else (),
        "quote": quote,
        "quote_lines": quote.splitlines() if quote else [],
        "show_pay": kind not in _WITHOUT_PAY_LINK,
        "to_debtor": kind is not NoticeKind.CONTACT_FORWARDED,
    }
    text = tidy_lines(_env().get_template("notices/notice.txt.j2").render(context))
    html = _env().get_template("notices/notice.html.j2").render(context)
    return RenderedMessage(subject=texts["subject"], body=text, html=html)


def _check(kind: NoticeKind, ctx: NoticeContext) -> None:
    missing = [name for name in _REQUIRED.get(kind, ()) if not getattr(ctx, name)]
    if missing:
        raise ValueError(f"a '{kind}' notice needs {', '.join(missing)}")
    if kind is NoticeKind.DISPUTE_RESOLVED and ctx.outcome not in set(DisputeOutcome):
        raise ValueError(f"unknown dispute outcome '{ctx.outcome}': choose one of {', '.join(DisputeOutcome)}")


def _values(kind: NoticeKind, ctx: NoticeContext, language: str) -> dict[str, Any]:
    currency = ctx.balance.currency
    return {
        "kind": str(kind),
        "lang": language,
        "creditor_name": ctx.creditor_name,
        "creditor_email": ctx.creditor_email,
        "debtor_name": ctx.debtor_name,
        "external_id": ctx.external_id,
        "pay_url": ctx.pay_url,
        "dispute_reason": ctx.dispute_reason,
        "outcome": ctx.outcome,
        "balance": ctx.balance.format(language),
        "reference": pretty(ctx.payment_reference),
        "promise_date": _day(ctx.promise_date, language),
        "deadline": _day(ctx.deadline, language),
        "pause_until": _day(ctx.pause_until, language),
        "paid": ctx.paid.format(language) if ctx.paid else None,
        "instalment": _instalment(ctx.instalment, currency, language) if ctx.instalment else None,
        "instalment_count": len(ctx.schedule),
        "schedule_total": Money(sum(i.amount for i in ctx.schedule), currency).format(language),
    }


def _instalment(instalment: Instalment, currency: str, language: str) -> dict[str, Any]:
    return {
        "number": instalment.number,
        "due": _day(instalment.due, language),
        "amount": Money(instalment.amount, currency).format(language),
    }


def _schedule_rows(ctx: NoticeContext, language: str, wording: Any) -> tuple[Row, ...]:
    """Every instalment with its date and amount, and the total, so the debtor can check the plan at a glance."""
    currency = ctx.balance.currency
    items = [_instalment(i, currency, language) for i in ctx.schedule]
    rows = [Row(squash(str(wording.instalment_label(item))), item["amount"]) for item in items]
    total = Money(sum(i.amount for i in ctx.schedule), currency).format(language)
    return (*rows, Row(wording.labels["total"], total, total=True))


def _day(day: date | None, language: str) -> str | None:
    return format_day(day, language) if day is not None else None
