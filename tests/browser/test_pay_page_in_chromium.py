"""The debtor's pay page in headless Chromium, phone and desktop: every action clicked through, then checked by axe."""

from __future__ import annotations

import io
import re
import time
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from chalicelib.web.i18n import day, money, text
from tests.browser.conftest import shot
from tests.harness import wait_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("e2e")]

MERCHANT = "Demo Shop GmbH"
DEMO_IBAN = "DE89370400440532013000"
SERIOUS = ("serious", "critical")
de = partial(text, "de")
en = partial(text, "en")


# --- helpers -------------------------------------------------------------------------------------------------------


def _new_claim(api: LocalApi, **overrides: Any) -> dict[str, Any]:
    return api.create_claim(api.session(), **overrides)


def _claim_view(api: LocalApi, claim: dict[str, Any]) -> dict[str, Any]:
    return dict(api.session().get(f"{api.url}/v1/claims/{claim['id']}", timeout=5).json())


def _await_status(api: LocalApi, claim: dict[str, Any], status: str, timeout: float = 2.0) -> None:
    wait_for(lambda: _claim_view(api, claim)["status"] == status, timeout)


def _section(page: Page, summary: str) -> Locator:
    """One of the page's <details> actions, found by the words on its summary, as the debtor finds it."""
    return page.locator("details").filter(has=page.locator("summary", has_text=summary))


def _open_section(page: Page, summary: str) -> Locator:
    section = _section(page, summary)
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(section).to_have_attribute("open", "")
    return section


def _banner(page: Page) -> Locator:
    return page.get_by_role("status")


def _cents(shown: str) -> int:
    """'1.234,56 €' and '€1,234.56' alike: euro amounts always carry two decimals."""
    return int(re.sub(r"\D", "", shown))


def _compact(shown: str) -> str:
    return re.sub(r"\s+", "", shown)


def _pay_through_checkout(page: Page) -> None:
    page.get_by_role("button", name=de("pay_now")).click()
    expect(page).to_have_url(re.compile(r"/_local/sandbox/checkout/"))
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page).to_have_url(re.compile(r"/pay/[^/?]+\?.*done=paid"))


def _preview_instalments(page: Page, count: int) -> Locator:
    section = _open_section(page, de("instalments"))
    section.get_by_label(de("instalments_label")).select_option(str(count))
    section.get_by_role("button", name=de("instalments_show")).click()
    return page.get_by_role("region", name=de("plan_preview", count=count))


def _promise_too_late(page: Page, api: LocalApi) -> Locator:
    """Type a date past the allowed range and get it past the browser's own check, to reach the server's."""
    section = _open_section(page, de("promise"))
    field = section.get_by_label(de("promise_label"))
    field.fill((date.fromisoformat(api.today()) + timedelta(days=30)).isoformat())
    assert field.evaluate("input => input.validity.rangeOverflow"), "the browser itself flags the date as too late"
    field.evaluate("input => input.removeAttribute('max')")
    section.get_by_role("button", name=de("promise_submit")).click()
    return page.get_by_label(de("promise_label"))


def _serious_violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in SERIOUS]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['html']}" for node in violation["nodes"])
    return "\n".join(lines)


# --- what the debtor sees ------------------------------------------------------------------------------------------


def test_the_page_shows_the_breakdown_and_actions_in_german_and_english_after_one_click(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api, amount=12345)

    page.goto(claim["pay_url"])

    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text(de("h1", merchant=MERCHANT))
    expect(page.get_by_role("region", name=de("balance"))).to_contain_text(money(12345, "EUR", "de"))
    breakdown = page.get_by_role("region", name=de("breakdown"))
    expect(breakdown.get_by_role("row", name=de("principal"))).to_contain_text(money(12345, "EUR", "de"))
    expect(breakdown.get_by_role("row", name=de("still_open"))).to_contain_text(money(12345, "EUR", "de"))
    expect(page.get_by_role("button", name=de("pay_now"))).to_be_visible()
    for action in ("transfer", "promise", "instalments", "dispute", "pause"):
        expect(page.locator("summary", has_text=de(action))).to_be_visible()
    expect(page.locator("summary", has_text=de("contact", merchant=MERCHANT))).to_be_visible()
    shot(page, "de")

    page.get_by_role("link", name="English").click()

    expect(page).to_have_url(re.compile(r"[?&]lang=en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(en("h1", merchant=MERCHANT))
    expect(page.get_by_role("region", name=en("balance"))).to_contain_text(money(12345, "EUR", "en"))
    breakdown = page.get_by_role("region", name=en("breakdown"))
    expect(breakdown.get_by_role("row", name=en("principal"))).to_contain_text(money(12345, "EUR", "en"))
    expect(page.get_by_role("button", name=en("pay_now"))).to_be_visible()
    for action in ("transfer", "promise", "instalments", "dispute", "pause"):
        expect(page.locator("summary", has_text=en(action))).to_be_visible()
    expect(page.get_by_text(de("pay_now"))).to_have_count(0)
    shot(page, "en")


def test_paying_now_through_the_checkout_settles_the_claim_and_the_page_stops_offering_payment(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])

    started = time.monotonic()
    _pay_through_checkout(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(de("settled.paid"))
    _await_status(local_api, claim, "paid", timeout=2)
    assert time.monotonic() - started < 2
    shot(page, "paid")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("settled.paid"))
    expect(page.get_by_role("button")).to_have_count(0)
    expect(page.get_by_text(de("transfer"))).to_have_count(0)
    expect(page.get_by_role("img", name="GiroCode")).to_have_count(0)
    assert DEMO_IBAN not in _compact(page.locator("body").inner_text())


def test_the_bank_transfer_shows_iban_reference_and_a_girocode_a_banking_app_can_read(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])

    section = _open_section(page, de("transfer"))

    shown = _compact(section.inner_text())
    assert DEMO_IBAN in shown
    assert claim["payment_reference"] in shown
    girocode = section.get_by_role("img", name="GiroCode")
    expect(girocode).to_be_visible()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(girocode.screenshot())))
    assert len(decoded) == 1, "exactly one readable QR code"
    payload = decoded[0].text
    assert payload.startswith("BCD\n002\n1\nSCT")
    assert claim["payment_reference"] in payload.splitlines()
    assert DEMO_IBAN in payload.splitlines()
    shot(page, "transfer")


def test_promising_a_date_within_the_limit_is_confirmed_and_holds_the_claim(page: Page, local_api: LocalApi) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])
    section = _open_section(page, de("promise"))

    # the virtual day is half a second: read it just before typing, so the date is still five days ahead on submit
    promised = date.fromisoformat(local_api.today()) + timedelta(days=5)
    section.get_by_label(de("promise_label")).fill(promised.isoformat())
    section.get_by_role("button", name=de("promise_submit")).click()

    expect(_banner(page)).to_have_text(de("notice.promise", date=day(promised, "de")))
    expect(page.get_by_role("region", name=de("agreement"))).to_contain_text(
        de("agreement.promise", date=day(promised, "de"))
    )
    _await_status(local_api, claim, "promised")
    assert _claim_view(local_api, claim)["agreement"]["date"] == promised.isoformat()
    shot(page, "promised")


def test_promising_a_date_past_the_limit_shows_a_clear_error_and_changes_nothing(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])

    field = _promise_too_late(page, local_api)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(de("errors"))
    expect(alert).to_contain_text(de("error.promise.date"))
    expect(field).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(_banner(page)).to_have_count(0)
    view = _claim_view(local_api, claim)
    assert view["agreement"] is None
    assert view["status"] != "promised"
    assert "promise_confirmed" not in local_api.notices(str(claim["id"]))
    shot(page, "error")


def test_choosing_three_instalments_shows_a_schedule_that_adds_up_and_agreeing_holds_the_claim(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api, amount=12345)
    page.goto(claim["pay_url"])

    plan = _preview_instalments(page, 3)

    rows = plan.get_by_role("table", name=de("plan")).locator("tbody tr")
    expect(rows).to_have_count(3)
    amounts = [_cents(cell) for cell in rows.locator("td.num").all_inner_texts()]
    balance = _cents(page.locator(".balance-amount").inner_text())
    assert sum(amounts) == balance, f"{amounts} do not add up to {balance}"
    shot(page, "schedule")

    plan.get_by_role("button", name=de("instalments_confirm")).click()

    expect(_banner(page)).to_contain_text(de("notice.instalments_nodate"))
    _await_status(local_api, claim, "instalments")
    shot(page, "agreed")


def test_a_dispute_is_confirmed_and_the_page_stops_offering_promises_and_instalments(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])
    section = _open_section(page, de("dispute"))

    section.get_by_label(de("dispute_reason")).select_option(label=de("reason.wrong_amount"))
    section.get_by_label(de("dispute_message")).fill("Es waren zwei Stühle, nicht drei.")
    section.get_by_role("button", name=de("dispute_submit")).click()

    expect(_banner(page)).to_have_text(de("notice.dispute"))
    _await_status(local_api, claim, "disputed")
    expect(_section(page, de("promise"))).to_have_count(0)
    expect(_section(page, de("instalments"))).to_have_count(0)
    expect(page.get_by_label(de("promise_label"))).to_have_count(0)
    expect(page.get_by_label(de("instalments_label"))).to_have_count(0)
    shot(page, "disputed")


def test_asking_for_a_pause_is_confirmed_with_its_end_date(page: Page, local_api: LocalApi) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])
    section = _open_section(page, de("pause"))

    section.get_by_label(de("pause_label")).fill("Ich bin seit zwei Wochen krank.")
    section.get_by_role("button", name=de("pause_submit")).click()

    expect(_banner(page)).to_contain_text(de("notice.pause_nodate").removesuffix("."))
    until = _claim_view(local_api, claim)["agreement"]["until"]
    expect(_banner(page)).to_have_text(de("notice.pause", date=day(until, "de")))
    shot(page, "paused")


def test_a_message_to_the_merchant_is_confirmed_and_forwarded(page: Page, local_api: LocalApi) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])
    section = _open_section(page, de("contact", merchant=MERCHANT))

    section.get_by_label(de("message_label")).fill("Können Sie mir die Rechnung noch einmal schicken?")
    section.get_by_role("button", name=de("contact_submit")).click()

    expect(_banner(page)).to_have_text(de("notice.contact", merchant=MERCHANT))
    wait_for(lambda: "contact_forwarded" in local_api.notices(str(claim["id"])), 2)
    shot(page, "contacted")


def test_a_guessed_token_shows_a_plain_not_found_page(page: Page, local_api: LocalApi) -> None:
    response = page.goto(f"{local_api.url}/pay/{'A' * 43}")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(en("not_found"))
    expect(page.get_by_text(en("not_found_text"))).to_be_visible()
    expect(page.locator("form")).to_have_count(0)
    expect(page.get_by_role("link")).to_have_count(0)
    shot(page, "not-found")


# --- accessibility -------------------------------------------------------------------------------------------------


def _german(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])


def _english(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _every_section_open(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    for details in page.locator("details").all():
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    expect(page.locator("details:not([open])")).to_have_count(0)


def _instalment_preview(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    expect(_preview_instalments(page, 3)).to_be_visible()


def _form_error(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    _promise_too_late(page, api)
    expect(page.get_by_role("alert")).to_be_visible()


def _settled(page: Page, api: LocalApi, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    _pay_through_checkout(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(de("settled.paid"))


PAGE_STATES: dict[str, Callable[[Page, LocalApi, dict[str, Any]], None]] = {
    "german": _german,
    "english": _english,
    "every-section-open": _every_section_open,
    "instalment-preview": _instalment_preview,
    "form-error": _form_error,
    "settled": _settled,
}


@pytest.mark.parametrize("state", list(PAGE_STATES))
def test_axe_finds_no_serious_or_critical_violation(page: Page, local_api: LocalApi, state: str) -> None:
    claim = _new_claim(local_api)
    PAGE_STATES[state](page, local_api, claim)

    violations = _serious_violations(page)

    assert not violations, f"axe on the {state} page:\n{_describe(violations)}"
