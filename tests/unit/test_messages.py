"""What a debtor reads and hears: message texts per language, tone and channel, and the final-notice letter."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.interest import InterestPeriod
from chalicelib.domain.ladder import Channel, Tone
from chalicelib.domain.money import Money
from chalicelib.domain.payment_reference import is_valid
from chalicelib.domain.segmentation import Segment
from chalicelib.messages.context import FeeLine, MessageContext
from chalicelib.messages.letter import render_letter_pdf
from chalicelib.messages.render import render_message

pytestmark = pytest.mark.unit

PAY_URL = "http://127.0.0.1:8000/pay/" + "k" * 43
REFERENCE = "RF54K3J9X2ABCD"
TODAY = date(2026, 12, 24)
STAGE_OF_TONE = {Tone.FRIENDLY: "reminder", Tone.NEUTRAL: "sms", Tone.FIRM: "final_notice"}

# GSM 03.38: the basic set costs one septet per character, the extension set two.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def make_context(**overrides: Any) -> MessageContext:
    """A friendly German reminder for €1,234.56; the balance follows the components unless given."""
    fields: dict[str, Any] = {
        "language": "de",
        "channel": Channel.EMAIL,
        "tone": Tone.FRIENDLY,
        "stage": "reminder",
        "segment": Segment.NEW,
        "today": TODAY,
        "creditor_name": "Gartenwelt & Söhne GmbH",
        "creditor_address": "Hauptstraße 1\n10115 Berlin",
        "creditor_email": "hilfe@gartenwelt.example",
        "debtor_name": "Erika Mustermann",
        "external_id": "A-4711",
        "description": "Gartenmöbel",
        "due_date": TODAY - timedelta(days=3),
        "principal": eur(123456),
        "fees": eur(0),
        "interest": eur(0),
        "paid": eur(0),
        "payment_reference": REFERENCE,
        "pay_url": PAY_URL,
    } | overrides
    if "balance" not in fields:
        fields["balance"] = fields["principal"] + fields["fees"] + fields["interest"] - fields["paid"]
    return MessageContext(**fields)


def final_notice(**overrides: Any) -> MessageContext:
    """The default ladder's final notice: a €2.50 fee, interest for one known and one unpublished base rate."""
    periods = (
        InterestPeriod(date(2026, 6, 1), date(2026, 6, 30), Decimal("6.27"), 1234),
        InterestPeriod(date(2026, 7, 1), date(2026, 7, 24), None, 0),
    )
    return make_context(
        **{
            "tone": Tone.FIRM,
            "stage": "final_notice",
            "due_date": TODAY - timedelta(days=24),
            "fees": eur(250),
            "fee_lines": (FeeLine("Mahngebühr (Porto und Material)", eur(250)),),
            "interest": eur(1234),
            "interest_periods": periods,
            "handover_date": TODAY + timedelta(days=7),
        }
        | overrides
    )


def gsm7_septets(text: str) -> int:
    assert all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text), f"not GSM-7: {text!r}"
    return len(text) + sum(char in GSM7_EXTENSION for char in text)


def test_the_sample_reference_is_a_valid_creditor_reference() -> None:
    assert is_valid(REFERENCE)


@pytest.mark.parametrize(
    ("language", "tone", "channel"), itertools.product(("de", "en"), Tone, (Channel.EMAIL, Channel.SMS, Channel.CALL))
)
def test_every_language_tone_and_channel_renders_with_the_pay_link(language: str, tone: Tone, channel: Channel) -> None:
    ctx = final_notice(language=language, tone=tone, stage=STAGE_OF_TONE[tone], channel=channel)

    message = render_message(ctx)

    assert message.subject
    assert PAY_URL in message.body
    if channel == Channel.EMAIL:
        assert message.html is not None
        assert PAY_URL in message.html
        assert "RF54 K3J9 X2AB CD" in message.body
        assert "RF54 K3J9 X2AB CD" in message.html
        assert ctx.balance.format(language).replace("\xa0", " ") in message.body.replace("\xa0", " ")


def test_pre_due_reminder_says_the_invoice_is_due_soon_not_overdue() -> None:
    due = TODAY + timedelta(days=3)

    german = render_message(make_context(stage="pre_due_reminder", due_date=due))
    english = render_message(make_context(language="en", stage="pre_due_reminder", due_date=due))

    assert "wird am 27.12.2026 fällig" in german.body
    assert "Mahnung" not in german.subject + german.body
    assert "is due on 27 December 2026" in english.body
    assert "overdue" not in (english.subject + english.body).lower()


def test_a_reliable_customer_gets_a_wink_in_the_friendly_email_and_a_new_one_does_not() -> None:
    reliable = render_message(make_context(segment=Segment.RELIABLE))
    new = render_message(make_context(segment=Segment.NEW))

    assert "😉" in reliable.body
    assert "😉" not in new.body


def test_email_after_a_partial_payment_shows_the_payment_and_the_reduced_balance() -> None:
    message = render_message(make_context(paid=eur(20000)))

    assert "Vielen Dank für Ihre bisherige Zahlung von 200,00\xa0€" in message.body
    assert "Bereits erhaltene Zahlungen: -200,00\xa0€" in message.body
    assert "Offener Betrag: 1.034,56\xa0€" in message.body
    assert message.html is not None
    assert "1.034,56\xa0€" in message.html


def test_german_final_notice_names_principal_fees_and_interest_separately_and_the_handover() -> None:
    message = render_message(final_notice())

    assert message.subject == "Letzte Mahnung: Rechnung A-4711"
    assert "Hauptforderung aus Rechnung A-4711 (Gartenmöbel), fällig am 30.11.2026: 1.234,56\xa0€" in message.body
    assert "Mahngebühr (Porto und Material): 2,50\xa0€" in message.body
    assert (
        "Verzugszinsen nach § 288 BGB, 6,27 % p. a. vom 01.06.2026 bis 30.06.2026 (30 Tage): 12,34\xa0€" in message.body
    )
    assert "Offener Betrag: 1.249,40\xa0€" in message.body
    assert "bis spätestens 30.12.2026" in message.body
    assert "am 31.12.2026 an ein Inkassounternehmen" in message.body


def test_final_notice_is_firm_but_never_threatening() -> None:
    for language in ("de", "en"):
        text = render_message(final_notice(language=language)).body.lower()
        for word in ("gericht", "klage", "schufa", "pfändung", "court", "sue", "bailiff", "credit bureau"):
            assert word not in text


def test_a_period_without_a_published_base_rate_is_shown_as_not_charged() -> None:
    german = render_message(final_notice()).body
    english = render_message(final_notice(language="en")).body

    assert "(24 Tage), Basiszinssatz noch nicht veröffentlicht – nicht berechnet: 0,00\xa0€" in german
    assert "(24 days), base rate not yet published – not charged: €0.00" in english


@pytest.mark.parametrize(("language", "tone"), itertools.product(("de", "en"), Tone))
def test_sms_fits_one_gsm7_segment_and_shows_nothing_beyond_first_name_amount_and_link(
    language: str, tone: Tone
) -> None:
    # The typical claim: €1,234.56 and a 69-character pay link leave ~90 septets for the words (€ costs two).
    for stage in {"pre_due_reminder", STAGE_OF_TONE[tone]}:
        ctx = make_context(language=language, tone=tone, stage=stage, channel=Channel.SMS, handover_date=TODAY)

        text = render_message(ctx).body

        assert gsm7_septets(text) <= 160, text
        assert text.startswith(("Hallo Erika,", "Hi Erika,"))
        assert PAY_URL in text
        assert "Mustermann" not in text
        assert "Gartenmöbel" not in text


def test_call_ssml_is_well_formed_and_spells_the_reference_twice() -> None:
    message = render_message(final_notice(channel=Channel.CALL))

    assert message.ssml is not None
    root = ET.fromstring(message.ssml)  # the creditor's "&" must arrive escaped
    spelled = ["".join(e.itertext()) for e in root.iter("say-as") if e.get("interpret-as") == "characters"]
    assert "".join(spelled) == REFERENCE * 2
    assert root.tag == "speak"
    assert root.find("break") is not None
    assert "1249 Euro und 40 Cent" in message.body
    assert "31.12.2026" in message.body


def test_unknown_language_falls_back_to_english_and_regional_german_stays_german() -> None:
    french = render_message(make_context(language="fr"))
    austrian = render_message(make_context(language="de-AT"))

    assert french.subject == "Payment reminder: invoice A-4711"
    assert "€1,234.56" in french.body
    assert austrian.subject == "Zahlungserinnerung: Rechnung A-4711"


def test_html_email_escapes_the_debtor_name() -> None:
    message = render_message(make_context(debtor_name="<script>alert(1)</script>", segment=Segment.RELIABLE))

    assert message.html is not None
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert "Gartenwelt &amp; Söhne GmbH" in message.html
    assert "Hallo <script>alert(1)</script>," in message.body


def test_agency_and_push_have_no_message() -> None:
    for channel in (Channel.AGENCY, Channel.PUSH):
        with pytest.raises(ValueError, match="no message template"):
            render_message(make_context(channel=channel))


def test_letter_text_version_carries_the_same_breakdown_as_the_email() -> None:
    letter = render_message(final_notice(channel=Channel.LETTER))
    email = render_message(final_notice())

    assert letter.body == email.body
    assert letter.html is None


@pytest.mark.parametrize("language", ["de", "en", "fr"])
def test_final_notice_letter_is_a_pdf_that_renders_the_same_twice(language: str) -> None:
    ctx = final_notice(language=language, channel=Channel.LETTER)

    pdf = render_letter_pdf(ctx)

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 2000
    assert render_letter_pdf(ctx) == pdf


def test_letter_survives_names_outside_the_core_font() -> None:
    pdf = render_letter_pdf(final_notice(debtor_name="Łukasz Żółć 😀", channel=Channel.LETTER))

    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        extracted = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        assert "Lukasz Zólc ?" in extracted.stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_german_letter_shows_every_charge_the_reference_and_the_handover() -> None:
    pdf = render_letter_pdf(final_notice(paid=eur(5000), channel=Channel.LETTER))

    # -layout keeps each table row on one line, label and amount together.
    extracted = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    text = " ".join(extracted.stdout.decode().split())

    for expected in (
        "Letzte Mahnung",
        "Erika Mustermann",
        "Datum: 24.12.2026",
        "Hauptforderung aus Rechnung A-4711",
        "1.234,56 €",
        "Mahngebühr (Porto und Material) 2,50 €",
        "6,27 % p. a. vom 01.06.2026 bis 30.06.2026 (30 Tage) 12,34 €",
        "(24 Tage), Basiszinssatz noch nicht",
        "0,00 €",
        "Bereits erhaltene Zahlungen -50,00 €",
        "Offener Betrag 1.199,40 €",
        "RF54 K3J9 X2AB CD",
        PAY_URL,
        "am 31.12.2026 an ein Inkassounternehmen",
    ):
        assert expected in text, expected
