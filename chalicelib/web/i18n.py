"""The pay page's words in German (Sie-form) and English, with Babel's dates and amounts: plain, never threatening."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal

from chalicelib.domain.agreement import InstalmentPlan, Pause, Promise
from chalicelib.domain.languages import locale_of, written_in
from chalicelib.domain.money import Money
from chalicelib.messages.formatting import format_day

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.domain.agreement import Agreement
    from chalicelib.domain.claim import Claim
    from chalicelib.domain.events import Event
    from chalicelib.domain.ledger import Ledger
    from chalicelib.services.pay_page import NextStep

# Each supported language (chalicelib.domain.languages) by its own name, for the page's language switch.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
DISPUTE_REASONS = ("not_received", "returned", "wrong_amount", "already_paid", "other")
STAGES = ("pre_due_reminder", "reminder", "sms", "call", "final_notice", "agency")
CHANNELS = ("email", "sms", "call", "letter", "push")


@cache
def texts() -> dict[str, dict[str, str]]:
    """The catalog is data (texts.json), one object per language, so a translator never touches code."""
    catalog: dict[str, dict[str, str]] = json.loads(
        resources.files("chalicelib.web").joinpath("texts.json").read_text(encoding="utf-8")
    )
    return catalog


def text(language: str, key: str, **values: Any) -> str:
    """Values are filled in before the template escapes the whole sentence, so a merchant's name stays inert."""
    template = texts()[language][key]
    return template.format(**values) if values else template


def day(value: date | datetime | str, language: str) -> str:
    """Dates arrive as dates, event instants or ISO strings from stored agreements; all read alike."""
    parsed = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_day(parsed, language)


def money(amount: int, currency: str, language: str) -> str:
    return Money(amount, currency).format(language)


def stage_name(stage: str, language: str) -> str:
    return text(language, f"stage.{stage}") if stage in STAGES else text(language, "stage.reminder")


def channels_phrase(channels: Iterable[str], language: str) -> str:
    """'per E-Mail und Brief' / 'by email and letter'; channels the debtor never sees (agency) are left out."""
    names = [text(language, f"channel.{c}") for c in channels if c in CHANNELS]
    return text(language, "by", channels=text(language, "and").join(names)) if names else ""


def next_step_text(step: NextStep, language: str) -> str:
    """Plain words for the next stage, so the debtor knows what comes and when, and how to avoid it."""
    stage = "agency" if "agency" in step.channels else step.stage
    if stage not in {"agency", "final_notice", "call", "pre_due_reminder"}:
        stage = "other"
    sentence = text(
        language, f"next.{stage}", date=day(step.on, language), channels=channels_phrase(step.channels, language)
    )
    return " ".join(sentence.split())


def fee_reason(kind: str, language: str) -> str:
    return texts()[language].get(f"fee.{kind}") or text(language, "fee.other")


def interest_reason(period: dict[str, Any], language: str) -> str:
    """Rate and period on every interest line, as § 13a RDG asks of a demand; the page shows the same."""
    start, end = day(period["from"], language), day(period["to"], language)
    if period.get("percent") is None:
        return text(language, "interest_unknown", start=start, end=end)
    percent = format_decimal(Decimal(str(period["percent"])), format="#,##0.00", locale=locale_of(language))
    days = int(period.get("days") or (date.fromisoformat(period["to"]) - date.fromisoformat(period["from"])).days + 1)
    count = text(language, "day_one") if days == 1 else text(language, "day_many", count=days)
    return text(language, "interest", percent=percent, start=start, end=end, days=count)


def breakdown_rows(ledger: Ledger, charges: Iterable[Event], language: str) -> list[tuple[str, str]]:
    """Each component on its own line with its reason; lines that disagree with the ledger give way to its totals."""

    def amount(value: int) -> str:
        return money(value, ledger.currency, language)

    booked = list(charges)
    fees = [fee for e in booked for fee in e.data.get("fees", [])]
    interest = [period for e in booked for period in e.data.get("interest", [])]
    if sum(int(f["amount"]) for f in fees) > ledger.fees:
        fees = []
    if sum(int(p["amount"]) for p in interest) > ledger.interest:
        interest = []
    rows = [(text(language, "principal"), amount(ledger.principal))]
    rows += [(fee_reason(str(f["kind"]), language), amount(int(f["amount"]))) for f in fees]
    if rest := ledger.fees - sum(int(f["amount"]) for f in fees):
        rows.append((text(language, "fees_other"), amount(rest)))
    rows += [(interest_reason(p, language), amount(int(p["amount"]))) for p in interest]
    if rest := ledger.interest - sum(int(p["amount"]) for p in interest):
        rows.append((text(language, "interest_other"), amount(rest)))
    if ledger.paid:
        rows.append((text(language, "paid"), amount(-ledger.paid)))
    return rows


def event_label(event: Event, currency: str, language: str) -> str | None:
    """What happened, in a few words; None for what the debtor need not see. Never an address or a number."""
    kind, data = str(event.type), event.data
    if kind == "message.sent":
        channel = channels_phrase([str(data.get("channel"))], language)
        return f"{stage_name(str(data.get('stage')), language)} {channel}".strip()
    if kind == "payment.received":
        paid = money(int(data.get("amount", 0)), str(data.get("currency") or currency), language)
        return text(language, "event.payment.received", amount=paid)
    key, catalog = f"event.{kind}", texts()[language]
    if data.get("date") and f"{key}+date" in catalog:
        return text(language, f"{key}+date", date=day(data["date"], language))
    if data.get("count") and f"{key}+count" in catalog:
        return text(language, f"{key}+count", count=data["count"])
    if data.get("reason") in DISPUTE_REASONS and f"{key}+reason" in catalog:
        return text(language, f"{key}+reason", reason=text(language, f"reason.{data['reason']}"))
    return catalog.get(key)


def history_rows(events: Iterable[Event], currency: str, language: str) -> list[tuple[str, str, str]]:
    """ISO date, shown date and a few words per entry: never the address, number or email a message went to."""
    rows = []
    for event in events:
        label = event_label(event, currency, language)
        if label:
            rows.append((event.at.date().isoformat(), day(event.at, language), label))
    return rows


def error_message(action: str, field: str, language: str) -> str:
    """For FormError: domain errors are written for developers and in English; the debtor reads this instead."""
    catalog = texts()[written_in(language)]
    return catalog.get(f"error.{action}.{field}") or catalog.get(f"error.{field}") or catalog["error.other"]


def claim_facts(claim: Claim, merchant: str, language: str) -> list[tuple[str, str]]:
    """Who is asking and why: the creditor, the shop's reference, the invoice date and what was bought."""
    facts = [(text(language, "creditor"), merchant), (text(language, "reference"), claim.external_id)]
    if claim.invoice_date:
        facts.append((text(language, "invoice_date"), day(claim.invoice_date, language)))
    if claim.description:
        facts.append((text(language, "description"), claim.description))
    return facts


def agreement_view(agreement: Agreement, currency: str, language: str) -> dict[str, Any]:
    """The agreement in force, in words, instead of the forms it replaces."""
    detail, rows = "", []
    if isinstance(agreement, InstalmentPlan):
        sentence = text(language, "agreement.instalments", count=len(agreement.schedule))
        rows = [(i.number, i.due, i.amount) for i in agreement.schedule]
    elif isinstance(agreement, Promise):
        sentence = text(language, "agreement.promise", date=day(agreement.date, language))
    elif isinstance(agreement, Pause):
        sentence = text(language, "agreement.pause", date=day(agreement.until, language))
    else:
        sentence = text(language, "agreement.dispute")
        if agreement.reason in DISPUTE_REASONS:
            detail = text(language, "dispute_given", reason=text(language, f"reason.{agreement.reason}"))
    return {"text": sentence, "detail": detail, "plan": plan_view(rows, currency, language) if rows else None}


def plan_view(rows: Iterable[tuple[int, date, int]], currency: str, language: str) -> dict[str, Any]:
    """Number, ISO date, shown date and amount per instalment, and the total they add up to."""
    listed = list(rows)
    return {
        "count": len(listed),
        "rows": [
            (n, due.isoformat(), day(due, language), money(amount, currency, language)) for n, due, amount in listed
        ],
        "total": money(sum(amount for _, _, amount in listed), currency, language),
    }
