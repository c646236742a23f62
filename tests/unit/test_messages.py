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

from chalicelib.domain.decisions import is_final_notice
from chalicelib.domain.interest import InterestPeriod
from chalicelib.domain.ladder import DEFAULT_LADDER, Channel, Stage, Tone
from chalicelib.domain.languages import SUPPORTED
from chalicelib.domain.money import Money
from chalicelib.domain.payment_reference import is_valid
from chalicelib.domain.segmentation import Segment
from chalicelib.messages.context import FeeLine, MessageContext, PayLinkSent
from chalicelib.messages.letter import render_letter_pdf
from chalicelib.messages.render import render_message

pytestmark = pytest.mark.unit

PAY_URL = "http://127.0.0.1:8000/pay/" + "k" * 43
AWS_PAY_URL = "https://abcdefghij.execute-api.eu-central-1.amazonaws.com/api/pay/" + "k" * 43
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
            "final_notice": True,
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


def sms_parts(septets: int) -> int:
    """GSM-7: one part carries 160 septets; a concatenated message 153 per part (the rest is its header)."""
    return 1 if septets <= 160 else -(-septets // 153)


@pytest.mark.parametrize(("language", "tone"), itertools.product(("de", "en"), Tone))
@pytest.mark.parametrize("pay_url", [PAY_URL, AWS_PAY_URL], ids=["local-link", "aws-link"])
def test_sms_fits_two_gsm7_parts_and_shows_only_first_name_amount_link_and_reference(
    language: str, tone: Tone, pay_url: str
) -> None:
    # The API Gateway link of a deployed stage is 110 characters: the SMS was two parts before it carried the
    # reference, and stays two with it, even for a long first name and a six-figure balance.
    for stage in {"pre_due_reminder", STAGE_OF_TONE[tone]}:
        for name, amount in (("Erika Mustermann", 123456), ("Maximiliane-Charlotte von Bergen", 12345678)):
            ctx = make_context(
                language=language,
                tone=tone,
                stage=stage,
                channel=Channel.SMS,
                handover_date=TODAY,
                pay_url=pay_url,
                debtor_name=name,
                principal=eur(amount),
            )

            text = render_message(ctx).body

            assert sms_parts(gsm7_septets(text)) <= 2, text
            assert text.startswith(("Hallo " + name.split()[0] + ",", "Hi " + name.split()[0] + ","))
            assert pay_url in text
            assert REFERENCE in text  # compact: a banking app takes it as typed
            # Lock screens show it: no surname, no goods, and nothing that says "dunning" to a bystander
            for hidden in (name.split()[-1], "Gartenmöbel", "Mahnung", "Inkasso", "notice", "collection"):
                assert hidden not in text


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


# Words that make a message a final notice: its name, "one last time", and the announced hand-over.
FINAL_NOTICE_WORDS = {
    "de": ("letzte mahnung", "letztes mal", "inkasso"),
    "en": ("final notice", "one last time", "collection agency"),
}
MESSAGE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.CALL, Channel.LETTER)
LADDER_MESSAGES = tuple(stage for stage in DEFAULT_LADDER.stages if not stage.hands_over)


def everything_read_or_heard(ctx: MessageContext) -> str:
    message = render_message(ctx)
    return " ".join(part for part in (message.subject, message.body, message.html, message.ssml) if part).lower()


# Every tone each stage can be written in: a broken promise or plan raises a tone, never lowers it, and the final
# notice is firm by the ladder.
STAGE_TONES = [
    (stage, tone)
    for stage in LADDER_MESSAGES
    for tone in Tone
    if tone == Tone.FIRM or not is_final_notice(DEFAULT_LADDER.stages, stage)
]


@pytest.mark.parametrize(
    ("stage", "tone", "language", "channel"),
    [(s, t, lang, c) for (s, t) in STAGE_TONES for lang in SUPPORTED for c in MESSAGE_CHANNELS],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_no_tone_makes_a_stage_a_final_notice_unless_the_ladder_does(
    stage: Stage, tone: Tone, language: str, channel: Channel
) -> None:
    # GIVEN a stage of the default ladder, in any tone a broken promise or plan can raise it to
    final = is_final_notice(DEFAULT_LADDER.stages, stage)
    ctx = final_notice(language=language, tone=tone, stage=stage.name, channel=channel, final_notice=final)

    # WHEN it is written for any channel
    text = everything_read_or_heard(ctx)

    # THEN only the ladder's final notice says it is one or announces the agency; no other stage borrows it
    said = [word for word in FINAL_NOTICE_WORDS[language] if word in text]
    if not final:
        assert said == [], f"{stage.name} in a {tone} tone reads as a final notice: {said}"
    elif channel in (Channel.EMAIL, Channel.LETTER):
        assert said == list(FINAL_NOTICE_WORDS[language])
    elif channel == Channel.CALL:
        assert FINAL_NOTICE_WORDS[language][2] in said  # the call announces the hand-over too


def test_only_the_final_notice_of_the_default_ladder_is_one() -> None:
    assert [s.name for s in DEFAULT_LADDER.stages if is_final_notice(DEFAULT_LADDER.stages, s)] == ["final_notice"]


def test_a_firm_reminder_that_is_not_the_final_notice_asks_firmly_with_a_date() -> None:
    german = render_message(final_notice(stage="reminder", final_notice=False))
    english = render_message(final_notice(stage="reminder", language="en", final_notice=False))

    assert german.subject == "Dringende Zahlungsaufforderung: Rechnung A-4711"
    assert "bis zum 30.12.2026" in german.body
    assert english.subject == "Urgent payment reminder: invoice A-4711"
    assert "by 30 December 2026 at the latest" in english.body


@pytest.mark.parametrize(
    ("language", "where"),
    [("de", "in unserer SMS vom 17.12.2026"), ("en", "in our text message of 17 December 2026")],
)
def test_a_call_says_which_message_holds_the_pay_link_and_spells_the_reference(language: str, where: str) -> None:
    ctx = make_context(
        language=language, channel=Channel.CALL, pay_link_in=PayLinkSent(Channel.SMS, date(2026, 12, 17))
    )

    message = render_message(ctx)

    assert message.ssml is not None
    assert where in message.ssml
    spelled = ["".join(e.itertext()) for e in ET.fromstring(message.ssml).iter("say-as")]
    assert "".join(spelled) == REFERENCE * 2


def test_a_call_without_an_earlier_written_message_offers_to_send_the_link() -> None:
    message = render_message(make_context(channel=Channel.CALL, pay_link_in=None))

    assert "schreiben Sie uns einfach an hilfe@gartenwelt.example" in message.body.replace("Schreiben", "schreiben")
