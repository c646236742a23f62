"""The short notices around self-service actions and agreements: what the debtor, or the merchant, reads."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.instalments import Instalment
from chalicelib.domain.money import Money
from chalicelib.domain.payment_reference import pretty
from chalicelib.messages.notices import NoticeContext, NoticeKind, render_notice

pytestmark = pytest.mark.unit

PAY_URL = "http://127.0.0.1:8000/pay/" + "k" * 43
REFERENCE = "RF54K3J9X2ABCD"
SCHEDULE = (
    Instalment(1, date(2027, 1, 10), 41152),
    Instalment(2, date(2027, 2, 10), 41152),
    Instalment(3, date(2027, 3, 10), 41152),
)
WITHOUT_PAY_LINK = {NoticeKind.THANK_YOU, NoticeKind.CONTACT_FORWARDED}
DEBTOR_KINDS_WITH_PAY_LINK = [kind for kind in NoticeKind if kind not in WITHOUT_PAY_LINK]
SCRIPT = "<script>alert('x')</script>"


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def english_euros(figure: str) -> Decimal:
    return Decimal(figure.replace(",", ""))


def make_context(**overrides: Any) -> NoticeContext:
    """A German debtor with €1,234.56 open and every optional detail filled, so any kind can be rendered."""
    fields: dict[str, Any] = {
        "language": "de",
        "creditor_name": "Gartenwelt & Söhne GmbH",
        "creditor_email": "hilfe@gartenwelt.example",
        "debtor_name": "Erika Mustermann",
        "external_id": "A-4711",
        "balance": eur(123456),
        "pay_url": PAY_URL,
        "payment_reference": REFERENCE,
        "promise_date": date(2027, 1, 5),
        "deadline": date(2027, 2, 20),
        "schedule": SCHEDULE,
        "instalment": SCHEDULE[1],
        "pause_until": date(2027, 1, 31),
        "dispute_reason": "returned",
        "outcome": "uphold",
        "message": "Ich habe die Ware am 2. Januar zurückgeschickt.",
        "paid": eur(123456),
    } | overrides
    return NoticeContext(**fields)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_notice_renders_in_german_and_english(kind: NoticeKind, language: str) -> None:
    notice = render_notice(kind, make_context(language=language))

    assert notice.subject.strip()
    assert "\n" not in notice.subject
    assert "A-4711" in notice.subject
    assert notice.body.strip()
    assert notice.html is not None
    assert f'<html lang="{language}">' in notice.html


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("kind", DEBTOR_KINDS_WITH_PAY_LINK)
def test_debtor_notices_carry_the_pay_link_and_the_payment_reference(kind: NoticeKind, language: str) -> None:
    notice = render_notice(kind, make_context(language=language))

    assert PAY_URL in notice.body
    assert pretty(REFERENCE) in notice.body
    assert notice.html is not None
    assert f'href="{PAY_URL}"' in notice.html
    assert pretty(REFERENCE) in notice.html


@pytest.mark.parametrize("language", ["de", "en"])
def test_thank_you_names_the_payment_and_asks_for_nothing_more(language: str) -> None:
    notice = render_notice(NoticeKind.THANK_YOU, make_context(language=language, paid=eur(5000)))

    assert eur(5000).format(language) in notice.body
    assert PAY_URL not in notice.body
    assert notice.html is not None
    assert PAY_URL not in notice.html
    assert ("vollständig bezahlt" if language == "de" else "paid in full") in notice.body


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_forwarded_message_tells_the_merchant_who_wrote_about_which_claim(language: str) -> None:
    message = "Die Lieferung kam beschädigt an.\nBitte rufen Sie mich an."
    notice = render_notice(NoticeKind.CONTACT_FORWARDED, make_context(language=language, message=message))

    assert "Erika Mustermann" in notice.subject
    assert "A-4711" in notice.subject
    for line in message.splitlines():
        assert f"> {line}" in notice.body
    assert pretty(REFERENCE) in notice.body
    assert PAY_URL not in notice.body
    assert notice.html is not None
    assert PAY_URL not in notice.html
    assert "Gartenwelt" not in notice.body  # signed by Mahnwerk, not as if the merchant wrote to itself


@pytest.mark.parametrize("kind", [NoticeKind.CONTACT_FORWARDED, NoticeKind.DISPUTE_RECEIVED])
def test_html_escapes_a_script_in_the_debtors_message(kind: NoticeKind) -> None:
    notice = render_notice(kind, make_context(message=f"Hallo {SCRIPT}", debtor_name="<b>Erika</b>"))

    assert notice.html is not None
    assert "<script>" not in notice.html
    assert "&lt;script&gt;" in notice.html
    assert "<b>Erika</b>" not in notice.html
    assert SCRIPT in notice.body  # the text part shows exactly what was written


def test_plan_confirmation_lists_every_instalment_and_the_amounts_add_up() -> None:
    schedule = (
        Instalment(1, date(2027, 1, 10), 33334),
        Instalment(2, date(2027, 2, 10), 33333),
        Instalment(3, date(2027, 3, 10), 33333),
    )

    notice = render_notice(NoticeKind.PLAN_CONFIRMED, make_context(language="en", schedule=schedule))

    listed = re.findall(r"^Instalment (\d+), due (.+): €([\d,]+\.\d{2})$", notice.body, flags=re.MULTILINE)
    assert [due for _, due, _ in listed] == ["10 January 2027", "10 February 2027", "10 March 2027"]
    assert [int(number) for number, *_ in listed] == [1, 2, 3]
    total = re.search(r"^Total: €([\d,]+\.\d{2})$", notice.body, flags=re.MULTILINE)
    assert total is not None
    amounts = [english_euros(amount) for *_, amount in listed]
    assert amounts == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]
    assert sum(amounts) == english_euros(total.group(1)) == Decimal("1000.00")
    assert notice.html is not None
    assert notice.html.count("<tr") == 4


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", ["2. Rate", "333,33\xa0€", "10.02.2027"]), ("en", ["instalment 2", "€333.33", "10 February 2027"])],
)
def test_an_upcoming_instalment_is_named_with_number_amount_and_due_date(language: str, expected: list[str]) -> None:
    instalment = Instalment(2, date(2027, 2, 10), 33333)

    notice = render_notice(NoticeKind.INSTALMENT_UPCOMING, make_context(language=language, instalment=instalment))

    for text in expected:
        assert text in notice.body


@pytest.mark.parametrize(("language", "new_date"), [("de", "20.02.2027"), ("en", "20 February 2027")])
def test_a_late_instalment_is_named_and_given_a_new_date(language: str, new_date: str) -> None:
    notice = render_notice(NoticeKind.INSTALMENT_LATE, make_context(language=language, deadline=date(2027, 2, 20)))

    assert ("2. Rate" if language == "de" else "Instalment 2") in notice.body
    assert eur(41152).format(language) in notice.body
    assert new_date in notice.body


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("de", ["Das kann passieren", "hilfe@gartenwelt.example", "erinnern wir Sie weiterhin"]),
        ("en", ["It can happen", "hilfe@gartenwelt.example", "keep sending you our usual reminders"]),
    ],
)
def test_a_missed_promise_is_met_with_understanding_and_an_invitation(language: str, phrases: list[str]) -> None:
    notice = render_notice(NoticeKind.PROMISE_MISSED, make_context(language=language))

    for phrase in phrases:
        assert phrase in notice.body


def test_a_broken_plan_says_the_remaining_balance_is_due_again() -> None:
    notice = render_notice(NoticeKind.PLAN_BROKEN, make_context(language="en", balance=eur(82304)))

    assert "remaining balance of €823.04 is now due again" in notice.body
    assert "reminders resume" in notice.body


def test_a_received_dispute_says_reminders_are_paused() -> None:
    notice = render_notice(NoticeKind.DISPUTE_RECEIVED, make_context(language="en", dispute_reason="not_received"))

    assert "goods or service not received" in notice.body
    assert "reminders for this invoice are paused" in notice.body


@pytest.mark.parametrize(
    ("outcome", "phrases"),
    [
        ("uphold", ["the claim stands", "€1,234.56", "reminders will therefore resume"]),
        ("cancel", ["withdrawn the claim", "nothing to pay"]),
        ("adjust", ["adjusted the open amount to €1,234.56"]),
    ],
)
def test_a_resolved_dispute_says_what_was_decided(outcome: str, phrases: list[str]) -> None:
    notice = render_notice(NoticeKind.DISPUTE_RESOLVED, make_context(language="en", outcome=outcome))

    for phrase in phrases:
        assert phrase in notice.body


def test_a_withdrawn_claim_does_not_ask_for_payment() -> None:
    notice = render_notice(NoticeKind.DISPUTE_RESOLVED, make_context(language="en", outcome="cancel"))

    assert notice.html is not None
    assert "Pay now" not in notice.html
    assert "You can pay" not in notice.body


@pytest.mark.parametrize(("language", "resume"), [("de", "ab dem 31.01.2027"), ("en", "from 31 January 2027")])
def test_a_pause_names_the_day_reminders_resume(language: str, resume: str) -> None:
    notice = render_notice(NoticeKind.PAUSE_GRANTED, make_context(language=language))

    assert resume in notice.body


@pytest.mark.parametrize(("language", "amount"), [("de", "1.234,56\xa0€"), ("en", "€1,234.56")])
def test_amounts_and_dates_are_written_the_way_the_reader_writes_them(language: str, amount: str) -> None:
    notice = render_notice(NoticeKind.PROMISE_CONFIRMED, make_context(language=language))

    assert amount in notice.body
    assert ("05.01.2027" if language == "de" else "5 January 2027") in notice.body


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_an_unknown_language_falls_back_to_english(kind: NoticeKind) -> None:
    assert render_notice(kind, make_context(language="fr")) == render_notice(kind, make_context(language="en"))


def test_a_regional_variant_gets_its_language() -> None:
    notice = render_notice(NoticeKind.THANK_YOU, make_context(language="de-AT"))

    assert notice.subject.startswith("Vielen Dank")


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_german_notices_say_sie_and_no_notice_threatens(kind: NoticeKind) -> None:
    german = render_notice(kind, make_context(language="de"))
    english = render_notice(kind, make_context(language="en"))

    assert not re.search(r"\b(du|dich|dir|dein\w*)\b", german.body, flags=re.IGNORECASE)
    assert not re.search(r"inkasso|anwalt|gericht|schufa", german.body, flags=re.IGNORECASE)
    assert not re.search(r"collection agency|lawyer|court|legal action", english.body, flags=re.IGNORECASE)


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        (NoticeKind.INSTALMENT_UPCOMING, {"instalment": None}),
        (NoticeKind.INSTALMENT_LATE, {"deadline": None}),
        (NoticeKind.PLAN_CONFIRMED, {"schedule": ()}),
        (NoticeKind.PAUSE_GRANTED, {"pause_until": None}),
        (NoticeKind.THANK_YOU, {"paid": None}),
    ],
)
def test_a_notice_missing_its_detail_is_refused_by_name(kind: NoticeKind, missing: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(missing))):
        render_notice(kind, make_context(**missing))


def test_an_unknown_dispute_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        render_notice(NoticeKind.DISPUTE_RESOLVED, make_context(outcome="maybe"))
