"""The debtor's pay page in headless Chromium, phone and desktop: every action clicked through, then checked by axe."""

from __future__ import annotations

import io
import re
import time
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import pytest
import requests
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
    return page.locator("details").filter(has=page.locator("summary").get_by_text(summary, exact=True))


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


def _submit(page: Page, button: Locator, status: int = 200) -> None:
    """Press a form's button and fail at once, with what the page says, if the answer is not the one expected."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    if response.status != status:
        said = page.get_by_role("alert").all_inner_texts() or [page.locator("main").inner_text()[:300]]
        shot(page, f"http-{response.status}")
        raise AssertionError(f"HTTP {response.status} (not {status}) for {response.url}; the page says: {said}")


def _pay_through_checkout(page: Page) -> None:
    _submit(page, page.get_by_role("button", name=de("pay_now")))
    expect(page).to_have_url(re.compile(r"/_local/sandbox/checkout/"))
    _submit(page, page.get_by_role("button", name=re.compile(r"^Pay ")))
    expect(page).to_have_url(re.compile(r"/pay/[^/?]+\?.*done=paid"))


def _preview_instalments(page: Page, count: int) -> Locator:
    section = _open_section(page, de("instalments"))
    section.get_by_label(de("instalments_label")).select_option(str(count))
    section.get_by_role("button", name=de("instalments_show")).click()
    return page.get_by_role("region", name=de("plan_preview", count=count))


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
        expect(_section(page, de(action))).to_be_visible()
    expect(_section(page, de("contact", merchant=MERCHANT))).to_be_visible()
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
        expect(_section(page, en(action))).to_be_visible()
    expect(page.get_by_text(de("pay_now"))).to_have_count(0)
    shot(page, "en")


def test_paying_now_through_the_checkout_settles_the_claim_and_the_page_stops_offering_payment(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])
    _submit(page, page.get_by_role("button", name=de("pay_now")))
    expect(page).to_have_url(re.compile(r"/_local/sandbox/checkout/"))

    # the debtor confirms on the PSP's page: from then on the claim must close within 2 s
    started = time.monotonic()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click(no_wait_after=True)
    _await_status(local_api, claim, "paid", timeout=2)
    assert time.monotonic() - started < 2

    expect(page).to_have_url(re.compile(r"/pay/[^/?]+\?.*done=paid"))
    expect(page.get_by_role("heading", level=1)).to_have_text(de("settled.paid"))
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
    _submit(page, section.get_by_role("button", name=de("promise_submit")))

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

    section = _open_section(page, de("promise"))
    field = section.get_by_label(de("promise_label"))
    field.fill((date.fromisoformat(local_api.today()) + timedelta(days=30)).isoformat())
    assert field.evaluate("input => input.validity.rangeOverflow"), "the browser itself flags the date as too late"
    # past the browser's own check, to reach the server's
    field.evaluate("input => input.removeAttribute('max')")
    _submit(page, section.get_by_role("button", name=de("promise_submit")), status=400)

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

    _submit(page, plan.get_by_role("button", name=de("instalments_confirm")))

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
    _submit(page, section.get_by_role("button", name=de("dispute_submit")))

    expect(_banner(page)).to_have_text(de("notice.dispute"))
    _await_status(local_api, claim, "disputed")
    expect(_section(page, de("promise"))).to_have_count(0)
    expect(_section(page, de("instalments"))).to_have_count(0)
    expect(page.get_by_label(de("promise_label"))).to_have_count(0)
    expect(page.get_by_label(de("instalments_label"))).to_have_count(0)
    shot(page, "disputed")


def test_asking_for_a_pause_and_writing_to_the_merchant_are_confirmed_and_the_message_is_forwarded(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    page.goto(claim["pay_url"])

    pause = _open_section(page, de("pause"))
    pause.get_by_label(de("pause_label")).fill("Ich bin seit zwei Wochen krank.")
    _submit(page, pause.get_by_role("button", name=de("pause_submit")))

    until = _claim_view(local_api, claim)["agreement"]["until"]
    expect(_banner(page)).to_have_text(de("notice.pause", date=day(until, "de")))
    shot(page, "paused")

    contact = _open_section(page, de("contact", merchant=MERCHANT))
    contact.get_by_label(de("message_label")).fill("Können Sie mir die Rechnung noch einmal schicken?")
    _submit(page, contact.get_by_role("button", name=de("contact_submit")))

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
# Every claim costs the local stack a running ladder, so the states that change nothing share one claim.


def _german(page: Page, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    expect(page.locator("html")).to_have_attribute("lang", "de")


def _every_section_open(page: Page, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    for details in page.locator("details").all():
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    expect(page.locator("details:not([open])")).to_have_count(0)


def _instalment_preview(page: Page, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    expect(_preview_instalments(page, 3)).to_be_visible()


def _form_error(page: Page, claim: dict[str, Any]) -> None:
    """A count the select never offers, slipped past it: the server answers with the page and its error."""
    page.goto(claim["pay_url"])
    section = _open_section(page, de("instalments"))
    section.get_by_label(de("instalments_label")).evaluate("select => { select.options[0].value = '1'; }")
    section.get_by_role("button", name=de("instalments_show")).click()
    expect(page.get_by_role("alert")).to_contain_text(de("error.instalments.count"))


def _english(page: Page, claim: dict[str, Any]) -> None:
    page.goto(claim["pay_url"])
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


OPEN_PAGE_STATES: dict[str, Callable[[Page, dict[str, Any]], None]] = {
    "german": _german,
    "every section open": _every_section_open,
    "instalment preview": _instalment_preview,
    "form error": _form_error,
    "english": _english,
}


def test_axe_finds_no_serious_or_critical_violation_on_the_open_page_in_any_state(
    page: Page, local_api: LocalApi
) -> None:
    claim = _new_claim(local_api)
    found: dict[str, list[dict[str, Any]]] = {}

    for state, reach in OPEN_PAGE_STATES.items():
        reach(page, claim)
        found[state] = _serious_violations(page)

    report = "\n".join(f"axe on the {state} page:\n{_describe(v)}" for state, v in found.items() if v)
    assert not report, report


def test_axe_finds_no_serious_or_critical_violation_on_the_settled_page(page: Page, local_api: LocalApi) -> None:
    claim = _new_claim(local_api)
    # paid through the sandbox PSP directly, so this check does not depend on the page's own forms
    paid = requests.post(
        f"{local_api.url}/_local/sandbox/payments",
        json={"claim_id": claim["id"], "amount": claim["balance"]},
        timeout=5,
    )
    assert paid.status_code == 201, paid.text
    page.goto(claim["pay_url"])
    expect(page.get_by_role("heading", level=1)).to_have_text(de("settled.paid"))

    violations = _serious_violations(page)

    assert not violations, f"axe on the settled page:\n{_describe(violations)}"
