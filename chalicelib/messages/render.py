"""Turns a MessageContext into the text a debtor reads or hears, per language, tone and channel."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal, get_currency_name, get_currency_precision
from jinja2 import Environment, PackageLoader, StrictUndefined

from chalicelib.domain.ladder import Channel, Tone
from chalicelib.domain.languages import locale_of, primary, written_in
from chalicelib.domain.money import Money
from chalicelib.domain.payment_reference import pretty
from chalicelib.domain.segmentation import Segment
from chalicelib.messages.context import MessageContext, RenderedMessage
from chalicelib.messages.formatting import format_day, squash, tidy_lines

if TYPE_CHECKING:
    from decimal import Decimal

    from chalicelib.domain.interest import InterestPeriod

# Babel locale and date style per language with a wording file: de "24.12.2026", en "24 December 2026".
# A firm or neutral message always names a date, even on a ladder that never hands over to an agency.
_DEADLINE_WITHOUT_HANDOVER = timedelta(days=7)
# The paragraphs every wording file defines, one macro each; an empty one leaves its paragraph out.
_PARTS = (
    "title",
    "subject",
    "salutation",
    "opening",
    "partial",
    "wink",
    "breakdown_intro",
    "pay_online",
    "pay_button",
    "transfer",
    "consequence",
    "dialogue",
    "overlap",
    "closing",
)
# Babel puts no-break spaces between amount and currency; outside GSM-7 they would turn an SMS into UCS-2.
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
# Template line breaks and indentation are layout, not content; the no-break spaces inside amounts are content.


@dataclass(frozen=True)
class Row:
    label: str
    amount: str
    total: bool = False


@dataclass(frozen=True)
class Draft:
    """The wording and figures of one message, shared by the email layouts and the PDF letter."""

    language: str
    values: dict[str, Any]
    texts: dict[str, str]
    labels: dict[str, str]
    rows: tuple[Row, ...]


@cache
def _env() -> Environment:
    # HTML and SSML escape every value (a debtor named "<script>" or "A & B"); plain text stays as written.
    return Environment(
        loader=PackageLoader("chalicelib.messages", "templates"),
        undefined=StrictUndefined,
        autoescape=lambda name: name is not None and name.endswith((".html.j2", ".ssml.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language_of(requested: str) -> str:
    """'de-AT' and 'DE' still get German; a language without a wording file gets English rather than an error."""
    return written_in(primary(requested))


def draft(ctx: MessageContext) -> Draft:
    """Wording is rendered here, in Python, so the HTML layout only ever sees plain strings to escape."""
    language = language_of(ctx.language)
    values = _values(ctx, language)
    wording = _env().get_template(f"{language}/wording.j2").make_module(values)
    texts = {part: squash(str(getattr(wording, part)())) for part in _PARTS}
    labels: dict[str, str] = dict(wording.labels)  # type: ignore[attr-defined]
    rows = _rows(ctx, language, values, labels, wording)
    return Draft(language, values, texts, labels, rows)


def render_message(ctx: MessageContext) -> RenderedMessage:
    """One entry point for every channel that carries words; the letter's PDF comes from letter.py."""
    d = draft(ctx)
    context = {**d.values, "t": d.texts, "labels": d.labels, "rows": d.rows}
    if ctx.channel in (Channel.EMAIL, Channel.LETTER):
        # The letter's text version (for the outbox and audit) is the email text: same paragraphs, same figures.
        text = tidy_lines(_env().get_template("email.txt.j2").render(context))
        html = _env().get_template("email.html.j2").render(context) if ctx.channel == Channel.EMAIL else None
        return RenderedMessage(subject=d.texts["subject"], body=text, html=html)
    if ctx.channel == Channel.SMS:
        text = squash(_env().get_template(f"{d.language}/sms.txt.j2").render(context).translate(_NO_BREAK_SPACES))
        return RenderedMessage(subject=f"SMS: {d.texts['title']}", body=text)
    if ctx.channel == Channel.CALL:
        ssml = squash(_env().get_template(f"{d.language}/call.ssml.j2").render(context))
        # Parsing proves the SSML well-formed before a voice service rejects it; its text is the transcript.
        spoken = squash("".join(ET.fromstring(ssml).itertext()))
        # The link is written, not spoken: a 43-character token read aloud helps no one.
        body = f"{spoken}\n\n{d.labels['pay_link']}: {ctx.pay_url}"
        return RenderedMessage(subject=f"Call: {d.texts['title']}", body=body, ssml=ssml)
    raise ValueError(f"no message template for channel '{ctx.channel}'")


def _values(ctx: MessageContext, language: str) -> dict[str, Any]:
    locale = locale_of(language)
    business = ctx.segment is Segment.BUSINESS
    pre_due = ctx.stage == "pre_due_reminder"
    deadline = ctx.handover_date - timedelta(days=1) if ctx.handover_date else ctx.today + _DEADLINE_WITHOUT_HANDOVER
    digits = get_currency_precision(ctx.balance.currency)
    major, minor = divmod(abs(ctx.balance.amount), 10**digits)
    return {
        "lang": language,
        "tone": str(ctx.tone),
        "stage": ctx.stage,
        "pre_due": pre_due,
        "give_wink": ctx.segment is Segment.RELIABLE and ctx.tone is Tone.FRIENDLY and not pre_due,
        "business": business,
        "debtor_name": ctx.debtor_name,
        "first_name": None if business else (ctx.debtor_name.split() or [""])[0],
        "creditor_name": ctx.creditor_name,
        "creditor_email": ctx.creditor_email,
        "creditor_address": ctx.creditor_address,
        "creditor_address_line": " · ".join(line.strip() for line in ctx.creditor_address.splitlines() if line.strip()),
        "external_id": ctx.external_id,
        "description": ctx.description,
        "today": format_day(ctx.today, language),
        "due_date": format_day(ctx.due_date, language),
        "deadline": format_day(deadline, language),
        "handover_date": format_day(ctx.handover_date, language) if ctx.handover_date else None,
        "final_notice": ctx.final_notice,
        "pay_link_channel": str(ctx.pay_link_in.channel) if ctx.pay_link_in else None,
        "pay_link_on": format_day(ctx.pay_link_in.on, language) if ctx.pay_link_in else None,
        "principal": ctx.principal.format(language),
        "fees": ctx.fees.format(language),
        "interest": ctx.interest.format(language),
        "paid": ctx.paid.format(language),
        "balance": ctx.balance.format(language),
        "has_paid": ctx.paid.amount > 0,
        "has_fees": ctx.fees.amount > 0 or bool(ctx.fee_lines),
        "has_interest": ctx.interest.amount > 0 or bool(ctx.interest_periods),
        "reference": pretty(ctx.payment_reference),
        "reference_groups": pretty(ctx.payment_reference).split(),
        "reference_compact": "".join(pretty(ctx.payment_reference).split()),
        "pay_url": ctx.pay_url,
        "balance_major": major,
        "balance_minor": minor,
        "currency_code": ctx.balance.currency,
        "currency_name": get_currency_name(ctx.balance.currency, count=major, locale=locale),
    }


def _rows(
    ctx: MessageContext, language: str, values: dict[str, Any], labels: dict[str, str], wording: Any
) -> tuple[Row, ...]:
    """Only the balance when nothing was added or paid; otherwise every component on its own line, as the law asks."""
    balance = Row(labels["balance"], values["balance"], total=True)
    if not (values["has_fees"] or values["has_interest"] or values["has_paid"]):
        return (balance,)
    rows = [Row(str(wording.principal_line()).strip(), values["principal"])]
    rows += [Row(fee.reason, fee.amount.format(language)) for fee in ctx.fee_lines]
    if ctx.fees.amount and not ctx.fee_lines:
        rows.append(Row(labels["fees"], values["fees"]))
    periods = [_period(p, ctx.interest.currency, language) for p in ctx.interest_periods]
    rows += [Row(squash(str(wording.interest_line(p))), p["amount"]) for p in periods]
    if ctx.interest.amount and not ctx.interest_periods:
        rows.append(Row(labels["interest"], values["interest"]))
    if ctx.paid.amount:
        rows.append(Row(labels["paid"], Money(-ctx.paid.amount, ctx.paid.currency).format(language)))
    return (*rows, balance)


def _period(period: InterestPeriod, currency: str, language: str) -> dict[str, Any]:
    locale = locale_of(language)
    return {
        "start": format_day(period.start, language),
        "end": format_day(period.end, language),
        "percent": _percent(period.percent, locale) if period.percent is not None else None,
        "days": period.days,
        "amount": Money(period.amount, currency).format(language),
    }


def _percent(percent: Decimal, locale: str) -> str:
    return str(format_decimal(percent, format="#,##0.00", locale=locale))
