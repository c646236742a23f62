"""The pay page as the debtor sees it: wording, figures, forms and what a settled claim must not offer."""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from chalicelib.domain.agreement import Agreement, Dispute, InstalmentPlan, Pause, Promise
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.disputes import DisputeReason
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.instalments import Instalment
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment
from chalicelib.domain.tenant import Branding, Tenant
from chalicelib.services.pay_page import NextStep, PayPage
from chalicelib.web import i18n
from chalicelib.web.render import (
    BLACK,
    NEAR_BLACK,
    WHITE,
    FormError,
    FormLimits,
    InstalmentRow,
    brand_style_css,
    contrast_ratio,
    render_not_found,
    render_pay_page,
    text_color_on,
)

pytestmark = pytest.mark.unit

TOKEN = "tok_4b9Zr2xQ-pL7mW0aY5sD1fG3hJ6kN8c"
CSRF = "1767225600.c2lnbmF0dXJl"
TODAY = date(2026, 12, 1)
SVG = '<svg role="img" width="205" height="205" class="segno"><title>GiroCode</title><path d="M0 0h1"/></svg>'
LIMITS = FormLimits(
    promise_min=date(2026, 12, 2),
    promise_max=date(2026, 12, 15),
    instalment_counts=(2, 3, 4),
    pause_available=True,
    pause_max_days=30,
    checkout_available=True,
)
# Principal 123.45, a 2.50 reminder fee, 0.45 interest, 40.00 paid: 86.40 to pay.
LEDGER = Ledger("EUR", principal=12345, fees=250, interest=45, paid=4000)
CHARGES = Event(
    EventType.CHARGES_ADDED,
    datetime(2026, 11, 26, 9, tzinfo=UTC),
    {
        "stage": "final_notice",
        "fees": [{"kind": "reminder_fee", "amount": 250}],
        "interest": [{"from": "2026-11-06", "to": "2026-11-26", "percent": "6.27", "days": 21, "amount": 45}],
        "balance": 8640,
    },
)
HISTORY = (
    Event(
        EventType.MESSAGE_SENT,
        datetime(2026, 11, 5, 9, tzinfo=UTC),
        {"stage": "reminder", "channel": "email", "to": "erika@example.com", "subject": "Zahlungserinnerung"},
    ),
    Event(
        EventType.MESSAGE_SENT,
        datetime(2026, 11, 12, 10, tzinfo=UTC),
        {"stage": "sms", "channel": "sms", "to": "+4915112345678"},
    ),
    Event(EventType.PAYMENT_RECEIVED, datetime(2026, 11, 20, 14, tzinfo=UTC), {"amount": 4000, "currency": "EUR"}),
)


def make_tenant(**branding: Any) -> Tenant:
    return Tenant(
        tenant_id="tenant-a",
        name="Gartenwelt GmbH",
        address="Gartenweg 1\n10115 Berlin",
        support_email="hilfe@gartenwelt.example",
        branding=Branding(
            **{
                "color": "#2d6a4f",
                "imprint_url": "https://gartenwelt.example/impressum",
                "privacy_url": "https://gartenwelt.example/datenschutz",
                "support_phone": "+49 30 1234567",
                **branding,
            }
        ),
        bank_account={"holder": "Gartenwelt GmbH", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    )


def make_claim(**overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "claim_id": "01JCLAIM000000000000000000",
        "tenant_id": "tenant-a",
        "external_id": "INV-4711",
        "debtor": Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE"),
        "ledger": LEDGER,
        "due_date": date(2026, 11, 2),
        "segment": Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": datetime(2026, 11, 2, tzinfo=UTC),
        "payment_reference": "RF18539007547034",
        "created_at": datetime(2026, 10, 20, 9, 30, tzinfo=UTC),
        "status": Status.DUNNING,
        "invoice_date": date(2026, 10, 19),
        "description": "Order 4711: garden chairs",
    }
    fields.update(overrides)
    return Claim(**fields)


def make_page(language: str = "de", claim: Claim | None = None, tenant: Tenant | None = None, **fields: Any) -> PayPage:
    values: dict[str, Any] = {
        "history": HISTORY,
        "charges": (CHARGES,),
        "next_step": NextStep("agency", ("agency",), date(2026, 12, 10)),
        "today": TODAY,
    }
    values.update(fields)
    return PayPage(claim=claim or make_claim(), tenant=tenant or make_tenant(), language=language, **values)


def render(page: PayPage, **options: Any) -> str:
    options.setdefault("limits", LIMITS)
    options.setdefault("girocode_svg", SVG)
    return render_pay_page(page, token=TOKEN, csrf=CSRF, **options)


class Parsed(HTMLParser):
    """Just enough of the DOM for the assertions: elements with attributes, forms with their fields, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.forms: list[dict[str, Any]] = []
        self.styles: list[str] = []
        self.chunks: list[str] = []
        self._open_form: dict[str, Any] | None = None
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag == "form":
            self._open_form = {"attrs": attributes, "fields": []}
            self.forms.append(self._open_form)
        elif tag in {"input", "select", "textarea", "button"} and self._open_form is not None:
            self._open_form["fields"].append((tag, attributes))
        if tag in {"style", "title", "script"}:
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open_form = None
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif self._in is None:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    def form(self, action: str) -> dict[str, Any]:
        found = [f for f in self.forms if f["attrs"].get("action") == action]
        assert len(found) == 1, f"expected one form to {action}, found {len(found)}"
        return found[0]

    def has_form(self, action: str) -> bool:
        return any(f["attrs"].get("action") == action for f in self.forms)


def fields_of(form: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {attrs["name"]: attrs for tag, attrs in form["fields"] if tag != "button" and "name" in attrs}


# --- what the page says ---------------------------------------------------------------------------


def test_german_page_explains_who_asks_why_and_how_much_in_german() -> None:
    html = Parsed(render(make_page("de")))
    assert html.all("html")[0]["lang"] == "de"
    assert "Ihre Rechnung bei Gartenwelt GmbH" in html.text
    assert "Offener Betrag 86,40 €" in html.text
    assert "War fällig am 02.11.2026" in html.text
    for fact in ("INV-4711", "19.10.2026", "Order 4711: garden chairs"):
        assert fact in html.text
    assert len(html.all("h1")) == 1


def test_english_page_uses_english_words_dates_and_amounts() -> None:
    html = Parsed(render(make_page("en")))
    assert html.all("html")[0]["lang"] == "en"
    assert "Your invoice from Gartenwelt GmbH" in html.text
    assert "Amount due €86.40" in html.text
    assert "19 October 2026" in html.text
    assert "Offener Betrag" not in html.text


def test_breakdown_names_every_fee_and_interest_period_with_its_reason_and_adds_up_to_the_balance() -> None:
    text = Parsed(render(make_page("de"))).text
    assert "Rechnungsbetrag 123,45 €" in text
    assert "Mahngebühr (Porto und Material) 2,50 €" in text
    assert "Verzugszinsen nach § 288 BGB: 6,27 % pro Jahr vom 06.11.2026 bis 26.11.2026 (21 Tage) 0,45 €" in text
    assert "Bereits erhalten – vielen Dank -40,00 €" in text
    assert "Noch offen 86,40 €" in text


def test_fees_without_a_booked_reason_still_appear_so_the_lines_add_up() -> None:
    text = Parsed(render(make_page("en", charges=()))).text
    assert "Other fees €2.50" in text
    assert "Default interest €0.45" in text


def test_next_step_is_told_in_plain_words_with_its_date() -> None:
    de = Parsed(render(make_page("de"))).text
    assert "Am 10.12.2026 geben wir die Forderung an unseren Inkassopartner ab" in de
    en = Parsed(render(make_page("en", next_step=NextStep("final_notice", ("email", "letter"), date(2026, 12, 3)))))
    assert "On 3 December 2026 we will send you a final notice by email and letter" in en.text


def test_history_is_short_and_never_shows_where_messages_went() -> None:
    html = render(make_page("de"))
    text = Parsed(html).text
    assert "Zahlungserinnerung per E-Mail" in text
    assert "Erinnerung per SMS" in text
    assert "Zahlung erhalten: 40,00 €" in text
    for private in ("erika@example.com", "+4915112345678", "Mustermann"):
        assert private not in html


def test_a_confirmation_repeats_what_was_agreed_as_a_status_message() -> None:
    claim = make_claim(status=Status.PROMISED, agreement=Promise(date(2026, 12, 10), date(2026, 12, 13)))
    html = Parsed(render(make_page("en", claim=claim), notice="promise"))
    assert any(attrs.get("role") == "status" for _, attrs in html.elements)
    assert "Thank you – we have noted your promise to pay by 10 December 2026." in html.text


def test_an_unknown_notice_is_ignored() -> None:
    html = Parsed(render(make_page("de"), notice="<b>hacked</b>"))
    assert not any(attrs.get("role") == "status" for _, attrs in html.elements)
    assert "hacked" not in html.text


# --- settled claims --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ledger", "says"),
    [
        (Status.PAID, replace(LEDGER, paid=12640), "Vielen Dank – diese Rechnung ist bezahlt"),
        (Status.CANCELLED, LEDGER, "Diese Forderung ist erledigt"),
        (Status.HANDED_OVER, LEDGER, "Diese Forderung liegt jetzt bei unserem Inkassopartner"),
    ],
)
def test_a_settled_claim_offers_no_payment_no_bank_details_and_no_qr_code(
    status: Status, ledger: Ledger, says: str
) -> None:
    claim = make_claim(status=status, ledger=ledger, closed_at=datetime(2026, 11, 30, tzinfo=UTC))
    raw = render(make_page("de", claim=claim), notice="paid")
    html = Parsed(raw)
    assert says in html.text
    assert html.forms == []
    for absent in ("IBAN", "DE89", "<svg", "Jetzt bezahlen", "86,40", "Wie es weitergeht", "Bisheriger Kontakt"):
        assert absent not in raw
    assert "Gartenweg 1" in html.text  # the creditor's footer stays


# --- forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["checkout", "promise", "dispute", "pause", "contact"])
def test_every_action_posts_to_its_route_with_the_csrf_token_and_the_language(action: str) -> None:
    form = Parsed(render(make_page("en"))).form(f"/pay/{TOKEN}/{action}")
    assert form["attrs"]["method"] == "post"
    fields = fields_of(form)
    assert fields["csrf"] == {"type": "hidden", "name": "csrf", "value": CSRF}
    assert fields["lang"]["value"] == "en"


def test_forms_carry_the_fields_the_routes_read() -> None:
    html = Parsed(render(make_page("de")))
    assert set(fields_of(html.form(f"/pay/{TOKEN}/checkout"))) == {"csrf", "lang"}
    assert "date" in fields_of(html.form(f"/pay/{TOKEN}/promise"))
    dispute = fields_of(html.form(f"/pay/{TOKEN}/dispute"))
    assert {"reason", "message"} <= set(dispute)
    assert "reason" in fields_of(html.form(f"/pay/{TOKEN}/pause"))
    assert "message" in fields_of(html.form(f"/pay/{TOKEN}/contact"))
    reasons = re.findall(r'<option value="([a-z_]+)">', render(make_page("de")))
    assert {"not_received", "returned", "wrong_amount", "already_paid", "other"} <= set(reasons)


def test_the_pay_button_names_the_balance() -> None:
    html = render(make_page("de"))
    assert re.search(r"Jetzt bezahlen\s*<span[^>]*>86,40\s€</span>", html)


def test_the_promise_date_picker_stays_within_the_limits() -> None:
    field = fields_of(Parsed(render(make_page("de"))).form(f"/pay/{TOKEN}/promise"))["date"]
    assert (field["type"], field["min"], field["max"]) == ("date", "2026-12-02", "2026-12-15")


def test_instalments_are_previewed_with_a_get_form_before_anything_is_agreed() -> None:
    html = Parsed(render(make_page("en")))
    form = html.form(f"/pay/{TOKEN}")
    assert form["attrs"]["method"] == "get"
    assert set(fields_of(form)) == {"instalments", "lang"}
    assert re.findall(r'<option value="(\d+)"', render(make_page("en"))) == ["2", "3", "4"]
    assert not html.has_form(f"/pay/{TOKEN}/instalments")


def test_the_instalment_preview_shows_a_schedule_that_adds_up_and_a_confirm_form() -> None:
    rows = (
        InstalmentRow(1, date(2026, 12, 8), 2882),
        InstalmentRow(2, date(2027, 1, 7), 2879),
        InstalmentRow(3, date(2027, 2, 6), 2879),
    )
    raw = render(make_page("de"), instalment_preview=rows)
    html = Parsed(raw)
    plan = raw[raw.index('id="instalment-plan"') :]
    amounts = [int(a.replace(",", "")) for a in re.findall(r'<td class="num">(\d+,\d\d)\s€</td>', plan)]
    assert amounts[:3] == [2882, 2879, 2879]
    assert amounts[3] == sum(amounts[:3]) == LEDGER.balance
    assert "08.12.2026" in html.text
    confirm = html.form(f"/pay/{TOKEN}/instalments")
    assert confirm["attrs"]["method"] == "post"
    assert fields_of(confirm)["count"]["value"] == "3"
    assert fields_of(confirm)["csrf"]["value"] == CSRF


@pytest.mark.parametrize(
    ("agreement", "says"),
    [
        (Promise(date(2026, 12, 10), date(2026, 12, 13)), "promised to pay by 10 December 2026"),
        (Pause(date(2026, 12, 20), "ill"), "paused reminders until 20 December 2026"),
        (Dispute(DisputeReason.RETURNED, "sent back", date(2026, 11, 30)), "Your reason: I"),
        (
            InstalmentPlan((Instalment(1, date(2026, 12, 8), 4320),), paid_at_start=0, wake_on=None),
            "You are paying in 1 instalments",
        ),
    ],
)
def test_an_agreement_in_force_replaces_the_promise_plan_and_pause_forms(agreement: Agreement, says: str) -> None:
    html = Parsed(render(make_page("en", claim=make_claim(agreement=agreement))))
    assert "Your agreement" in html.text
    assert says in html.text
    for hidden in ("promise", "pause"):
        assert not html.has_form(f"/pay/{TOKEN}/{hidden}")
    assert not html.has_form(f"/pay/{TOKEN}")
    assert "What happens next" not in html.text
    assert html.has_form(f"/pay/{TOKEN}/contact")


def test_a_plan_in_force_shows_its_schedule() -> None:
    schedule = (Instalment(1, date(2026, 12, 8), 4320), Instalment(2, date(2027, 1, 7), 4320))
    plan = InstalmentPlan(schedule, paid_at_start=0, wake_on=date(2026, 12, 5))
    text = Parsed(render(make_page("de", claim=make_claim(agreement=plan)))).text
    assert "1 08.12.2026 43,20 €" in text
    assert "2 07.01.2027 43,20 €" in text
    assert "Summe 86,40 €" in text


def test_unavailable_options_are_not_offered() -> None:
    limits = replace(LIMITS, instalment_counts=(), pause_available=False, checkout_available=False)
    html = Parsed(render(make_page("de"), limits=limits))
    for absent in (f"/pay/{TOKEN}", f"/pay/{TOKEN}/pause", f"/pay/{TOKEN}/checkout"):
        assert not html.has_form(absent)
    assert html.has_form(f"/pay/{TOKEN}/promise")


def test_bank_transfer_shows_account_reference_and_the_girocode_inline() -> None:
    raw = render(make_page("de"))
    text = Parsed(raw).text
    assert "DE89 3704 0044 0532 0130 00" in text
    assert "COBADEFFXXX" in text
    assert "RF18 5390 0754 7034" in text
    assert SVG in raw
    assert "Mit Ihrer Banking-App scannen" in text


def test_a_form_error_is_linked_to_its_field_and_opens_its_section() -> None:
    error = FormError("promise", "date", "Bitte wählen Sie einen Tag bis zum 15.12.2026.")
    raw = render(make_page("de"), error=error)
    html = Parsed(raw)
    field = fields_of(html.form(f"/pay/{TOKEN}/promise"))["date"]
    assert "promise-date-error" in field["aria-describedby"].split()
    assert field["aria-invalid"] == "true"
    assert [a for a in html.all("p") if a.get("id") == "promise-date-error"]
    assert [a for a in html.all("details") if a.get("id") == "action-promise" and "open" in a]
    assert 'href="#promise-date"' in raw


# --- safety and accessibility ----------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere() -> None:
    script = "<script>alert(1)</script>"
    claim = make_claim(description=script, external_id='"><img src=x onerror=alert(1)>')
    tenant = make_tenant(imprint_url="javascript:alert(1)", logo_url="http://insecure.example/logo.png")
    tenant = replace(tenant, name=f"Evil {script}", address=script)
    raw = render(make_page("de", claim=claim, tenant=tenant), error=FormError("contact", "message", script))
    assert "<script" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<img src=x" not in raw
    assert "javascript:" not in raw
    assert "insecure.example" not in raw


def test_no_inline_styles_and_exactly_one_style_element_holding_the_brand_rule() -> None:
    tenant = make_tenant(color="#FFD500")
    html = Parsed(render(make_page("de", tenant=tenant)))
    assert not [attrs for _, attrs in html.elements if "style" in attrs]
    assert html.styles == [brand_style_css(tenant)] == [":root{--brand:#ffd500;--on-brand:#111111}"]
    assert html.all("script") == []
    assert [a["href"] for a in html.all("link") if a.get("rel") == "stylesheet"] == ["/pay/assets/pay.css"]


def test_a_colour_that_is_not_a_plain_hex_colour_falls_back_to_the_default() -> None:
    css = brand_style_css(make_tenant(color="red}body{display:none"))
    assert css == ":root{--brand:#1f4e79;--on-brand:#ffffff}"


def test_the_page_is_not_indexed_and_fits_a_phone() -> None:
    metas = {a.get("name"): a.get("content") for a in Parsed(render(make_page("de"))).all("meta")}
    assert metas["robots"] == "noindex, nofollow"
    assert metas["viewport"] == "width=device-width, initial-scale=1"


def test_every_visible_field_has_a_label_and_ids_are_unique() -> None:
    html = Parsed(render(make_page("de"), instalment_preview=(InstalmentRow(1, TODAY, 8640),)))
    labelled = {a["for"] for a in html.all("label")}
    fields = [a for t, a in html.elements if t in {"select", "textarea"} or (t == "input" and a["type"] != "hidden")]
    assert fields and all(f.get("id") in labelled for f in fields)
    ids = [a["id"] for _, a in html.elements if "id" in a]
    assert len(ids) == len(set(ids))
    assert not [a for _, a in html.elements if int(a.get("tabindex", "0")) > 0]
    assert all(b.get("type") == "submit" for b in html.all("button"))


def test_language_links_mark_the_current_language() -> None:
    links = {a["hreflang"]: a for a in Parsed(render(make_page("en"))).all("a") if "hreflang" in a}
    assert links["de"]["href"] == f"/pay/{TOKEN}?lang=de"
    assert links["en"].get("aria-current") == "true"
    assert "aria-current" not in links["de"]


@pytest.mark.parametrize(
    ("background", "expected"),
    [("#ffd500", NEAR_BLACK), ("#f2f2f2", NEAR_BLACK), ("#1f4e79", WHITE), ("#000000", WHITE)],
)
def test_text_on_the_brand_colour_is_dark_on_light_and_white_on_dark(background: str, expected: str) -> None:
    assert text_color_on(background) == expected


@pytest.mark.parametrize("background", ["#767676", "#777777", "#7a7a7a", "#e53935", "#1e88e5", "#43a047", "#ff6f00"])
def test_every_brand_colour_gets_text_with_at_least_aa_contrast(background: str) -> None:
    color = text_color_on(background)
    assert color in {WHITE, NEAR_BLACK, BLACK}
    assert contrast_ratio(background, color) >= 4.5


def test_not_found_says_only_not_found() -> None:
    for language, heading in (("de", "Seite nicht gefunden"), ("en", "Page not found"), ("fr", "Page not found")):
        html = Parsed(render_not_found(language))
        assert html.all("h1") and heading in html.text
        assert html.forms == [] and html.all("a") == [] and html.all("img") == []
        assert html.all("html")[0]["lang"] == ("de" if language == "de" else "en")


def test_both_languages_have_the_same_texts_with_the_same_placeholders() -> None:
    catalog = i18n.texts()
    assert catalog["de"].keys() == catalog["en"].keys()

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for key, german in catalog["de"].items():
        assert fields(german) == fields(catalog["en"][key]), key


def test_form_errors_have_plain_words_in_the_debtors_language() -> None:
    assert i18n.error_message("dispute", "reason", "de") == "Bitte wählen Sie aus, was nicht stimmt."
    assert i18n.error_message("checkout", "csrf", "en").startswith("This form has expired")
    assert i18n.error_message("pause", "days", "de").startswith("Das hat leider nicht geklappt")
