"""Renders the debtor's pay page as server-side HTML: escaped, script-free, styled by one stylesheet and one rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from chalicelib.domain.agreement import InstalmentPlan, Pause, Promise
from chalicelib.domain.claim import Status
from chalicelib.domain.disputes import MAX_MESSAGE_LENGTH
from chalicelib.domain.languages import SUPPORTED, written_in
from chalicelib.domain.pay_actions import PayAction
from chalicelib.domain.payment_reference import pretty
from chalicelib.domain.tenant import Branding
from chalicelib.web import i18n

if TYPE_CHECKING:
    from chalicelib.domain.tenant import Tenant
    from chalicelib.services.pay_page import PayPage

CSS_HREF = "/pay/assets/pay.css"
MESSAGE_MAX_LENGTH = MAX_MESSAGE_LENGTH  # the textareas' maxlength: what the domain accepts
# The confirmation shown after an action (a checkout leaves for the PSP, and comes back paid or cancelled).
NOTICES = ("checkout_cancelled", "paid", *(str(a) for a in PayAction if a is not PayAction.CHECKOUT))
DEFAULT_BRAND_COLOR = Branding().color
WHITE, NEAR_BLACK, BLACK = "#ffffff", "#111111", "#000000"
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text
HISTORY_LIMIT = 12  # "in short": the latest entries
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Where each form field lives on the page, so an error can point at it (aria-describedby, error summary links).
FIELD_IDS = {
    ("promise", "date"): "promise-date",
    ("instalments", "instalments"): "instalments-count",
    ("instalments", "count"): "instalments-count",
    ("dispute", "reason"): "dispute-reason",
    ("dispute", "message"): "dispute-message",
    ("pause", "reason"): "pause-reason",
    ("contact", "message"): "contact-message",
}


@dataclass(frozen=True)
class FormLimits:
    promise_min: date
    promise_max: date
    instalment_counts: tuple[int, ...]  # empty: no plan possible
    pause_available: bool
    pause_max_days: int
    checkout_available: bool


@dataclass(frozen=True)
class FormError:
    action: str
    field: str
    message: str  # already in the page's language


@dataclass(frozen=True)
class InstalmentRow:
    number: int
    due: date
    amount: int


@cache
def environment() -> Environment:
    """One environment per Lambda container: templates are parsed once, and every value is escaped."""
    return Environment(
        loader=PackageLoader("chalicelib.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def relative_luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(background: str) -> str:
    """Any merchant colour stays readable: white or near-black, and pure black where neither reaches 4.5:1."""
    best = max((WHITE, NEAR_BLACK), key=lambda candidate: contrast_ratio(background, candidate))
    return best if contrast_ratio(background, best) >= MIN_CONTRAST else BLACK


def brand_color(tenant: Tenant) -> str:
    """The colour goes into a hashed <style>: anything but a plain hex colour could smuggle CSS in."""
    color = tenant.branding.color.strip()
    return (color if _HEX_COLOR.fullmatch(color) else DEFAULT_BRAND_COLOR).lower()


def brand_style_css(tenant: Tenant) -> str:
    """The exact text of the page's one <style> element, so the route can put its hash into the CSP."""
    color = brand_color(tenant)
    return f":root{{--brand:{color};--on-brand:{text_color_on(color)}}}"


def render_pay_page(
    page: PayPage,
    *,
    token: str,
    csrf: str,
    limits: FormLimits,
    girocode_svg: str | None,
    notice: str | None = None,
    error: FormError | None = None,
    instalment_preview: tuple[InstalmentRow, ...] | None = None,
) -> str:
    """The whole page in one pass; what a settled claim must not offer is decided here, not in the template."""
    page = replace(page, language=written_in(page.language))
    lang, claim, tenant = page.language, page.claim, page.tenant
    t = partial(i18n.text, lang)
    base = f"/pay/{quote(token, safe='')}"
    kind = str(claim.agreement.kind) if claim.agreement else ""
    state = _state(page)
    context: dict[str, Any] = {
        **_frame(tenant, lang, base),
        "title": t("title", reference=claim.external_id, merchant=tenant.name) if state == "open" else tenant.name,
        "state": state,
        "settled": _settled(page, lang, state),
        "csrf": csrf,
        "base": base,
        "message_max": MESSAGE_MAX_LENGTH,
        "notice": _notice(page, lang, notice) if state == "open" else None,
        "error": _error(error),
        "aria": partial(_describedby, _error(error)),
    }
    if state != "open":
        return environment().get_template("pay.html.j2").render(context)
    ledger = claim.ledger
    show = {
        "checkout": limits.checkout_available,
        "promise": not kind and limits.promise_min <= limits.promise_max,
        "instalments": not kind and bool(limits.instalment_counts),
        "pause": not kind and limits.pause_available,
        "dispute": kind != "dispute",
        "contact": True,
    }
    if context["error"]:
        # A link in the error summary only where its form is on the page.
        context["error"]["href"] = "#" + context["error"]["anchor"] if show.get(context["error"]["action"]) else ""
    context |= {
        "balance": i18n.money(ledger.balance, ledger.currency, lang),
        "due_text": t("due_on" if claim.due_date >= page.today else "was_due", date=i18n.day(claim.due_date, lang)),
        "facts": i18n.claim_facts(claim, tenant.name, lang),
        "rows": i18n.breakdown_rows(ledger, page.charges, lang),
        "next_step": i18n.next_step_text(page.next_step, lang) if page.next_step and not kind else None,
        "agreement": i18n.agreement_view(claim.agreement, ledger.currency, lang) if claim.agreement else None,
        "bank": _bank(page, girocode_svg),
        "limits": limits,
        "promise": {"min": i18n.day(limits.promise_min, lang), "max": i18n.day(limits.promise_max, lang)},
        "show": show,
        "reasons": [(r, t(f"reason.{r}")) for r in i18n.DISPUTE_REASONS],
        "preview": i18n.plan_view([(r.number, r.due, r.amount) for r in instalment_preview], ledger.currency, lang)
        if instalment_preview and not kind
        else None,
        "history": i18n.history_rows(page.history, page.claim.ledger.currency, lang)[-HISTORY_LIMIT:],
    }
    return environment().get_template("pay.html.j2").render(context)


def render_not_found(language: str) -> str:
    """Says nothing about why: a guessed token and an expired one must look the same."""
    lang = written_in(language)
    return environment().get_template("not_found.html.j2").render(lang=lang, t=partial(i18n.text, lang), css=CSS_HREF)


def _frame(tenant: Tenant, lang: str, base: str) -> dict[str, Any]:
    branding = tenant.branding
    return {
        "lang": lang,
        "t": partial(i18n.text, lang),
        "css": CSS_HREF,
        "brand_css": Markup(brand_style_css(tenant)),  # safe: built from a validated hex colour only
        "brand_color": brand_color(tenant),
        "merchant": tenant.name,
        "logo_url": branding.logo_url if branding.logo_url.startswith("https://") else None,
        "languages": [
            {"code": code, "name": i18n.LANGUAGE_NAMES[code], "href": f"{base}?lang={code}", "current": code == lang}
            for code in SUPPORTED
        ],
        "footer": {
            "address": [line.strip() for line in tenant.address.splitlines() if line.strip()],
            "email": tenant.support_email,
            "phone": branding.support_phone,
            "phone_href": "tel:" + re.sub(r"[^0-9+]", "", branding.support_phone),
            "imprint": _web_url(branding.imprint_url),
            "privacy": _web_url(branding.privacy_url),
        },
    }


def _web_url(url: str) -> str | None:
    """Escaping does not stop a javascript: link; only web addresses become hrefs."""
    return url if url.startswith(("https://", "http://")) else None


def _state(page: PayPage) -> str:
    if not page.settled:
        return "open"
    if page.claim.status == Status.HANDED_OVER and page.claim.ledger.balance > 0:
        return "handed_over"
    return "cancelled" if page.claim.status == Status.CANCELLED else "paid"


def _settled(page: PayPage, lang: str, state: str) -> dict[str, str] | None:
    if state == "open":
        return None
    values = {"reference": page.claim.external_id, "merchant": page.tenant.name}
    return {"heading": i18n.text(lang, f"settled.{state}"), "text": i18n.text(lang, f"settled.{state}_text", **values)}


def _notice(page: PayPage, lang: str, notice: str | None) -> str | None:
    """A thank-you that repeats what was agreed, so the debtor sees the request arrived as meant."""
    if notice not in NOTICES:
        return None
    agreement = page.claim.agreement
    when: date | None = None
    if notice in {"promise", "pause"} and isinstance(agreement, Promise | Pause):
        when = agreement.date if isinstance(agreement, Promise) else agreement.until
    elif notice == "instalments" and isinstance(agreement, InstalmentPlan) and agreement.schedule:
        when = agreement.schedule[0].due
    if notice in {"promise", "instalments", "pause"} and not when:
        return i18n.text(lang, f"notice.{notice}_nodate")
    values = {"date": i18n.day(when, lang)} if when else {}
    return i18n.text(lang, f"notice.{notice}", merchant=page.tenant.name, **values)


def _error(error: FormError | None) -> dict[str, str] | None:
    if error is None:
        return None
    field_id = FIELD_IDS.get((error.action, error.field), "")
    anchor = field_id or f"action-{error.action}"
    return {
        "action": error.action,
        "field_id": field_id,
        "message": error.message,
        "anchor": anchor,
        "id": f"{anchor}-error",
    }


def _describedby(error: dict[str, str] | None, field_id: str, *hints: str) -> Markup:
    """aria-describedby for a field: its hint, and the error message when the error is about this field."""
    ids = list(hints)
    invalid = error is not None and error["field_id"] == field_id
    if invalid and error is not None:
        ids.append(error["id"])
    described = f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""
    return Markup(described + (' aria-invalid="true"' if invalid else ""))  # safe: our own ids, escaped


def _bank(page: PayPage, girocode_svg: str | None) -> dict[str, Any] | None:
    account = page.tenant.bank_account
    if not account.get("iban"):
        return None
    iban = re.sub(r"\s+", "", account["iban"]).upper()
    return {
        "holder": account.get("holder") or page.tenant.name,
        "iban": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        "bic": account.get("bic") or "",
        "amount": i18n.money(page.claim.ledger.balance, page.claim.ledger.currency, page.language),
        "reference": pretty(page.claim.payment_reference),
        # Trusted markup: segno's SVG from our own girocode module, never text a person typed.
        "girocode": Markup(girocode_svg) if girocode_svg else None,
    }
