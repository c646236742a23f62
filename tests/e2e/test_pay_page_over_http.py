"""The pay page's acceptance checks over HTTP: checkout, not-found, settled claims, form protection."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _page(api: LocalApi, claim: dict[str, Any], **params: str) -> requests.Response:
    return requests.get(str(claim["pay_url"]), params=params, timeout=30, allow_redirects=False)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def test_paying_through_the_sandbox_checkout_closes_the_claim_within_two_seconds(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)
    page = _page(local_api, claim)
    token = str(claim["pay_url"]).rsplit("/", 1)[-1]

    # the debtor presses "Pay now": the page sends them to the PSP's hosted checkout
    checkout = requests.post(
        f"{local_api.url}/pay/{token}/checkout",
        data={"csrf": _csrf(page.text), "lang": "de"},
        headers={"Origin": local_api.url},  # as a browser sends it for the page's own form
        timeout=30,
        allow_redirects=False,
    )
    assert checkout.status_code == 303
    psp_page = requests.get(checkout.headers["Location"], timeout=30)
    assert psp_page.status_code == 200
    started = time.monotonic()
    # they pay there; the PSP sends its signed webhook, then returns them to the pay page
    paid = requests.post(checkout.headers["Location"], timeout=30, allow_redirects=False)
    assert paid.status_code == 303
    assert f"/pay/{token}" in paid.headers["Location"]
    wait_for(lambda: session.get(f"{local_api.url}/v1/claims/{claim['id']}", timeout=30).json()["status"] == "paid", 2)
    assert time.monotonic() - started < 2
    # the page now only says it is settled: no payment offered
    after = _page(local_api, claim)
    assert "/checkout" not in after.text
    assert "GiroCode" not in after.text
    # the execution ended with the payment: nothing more can go out, and nothing went out after it
    wait_for(lambda: "RUNNING" not in local_api.executions(str(claim["id"])).values(), timeout=60, interval=0.5)
    assert [m["stage"] for m in local_api.outbox(str(claim["id"]))] in ([], ["reminder"])
    # the thank-you goes at once, or when the debtor's contact window opens
    wait_for(lambda: "thank_you" in local_api.notices(str(claim["id"])), timeout=60, interval=0.5)


def test_a_guessed_token_gets_a_plain_not_found_page(local_api: LocalApi) -> None:
    response = requests.get(f"{local_api.url}/pay/{'A' * 43}", timeout=30)
    json_view = requests.get(f"{local_api.url}/v1/pay/{'A' * 43}", timeout=30)

    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert json_view.status_code == 404


def test_the_page_is_locked_down_and_carries_the_breakdown(local_api: LocalApi) -> None:
    claim = local_api.create_claim(local_api.session(), amount=4990)

    response = _page(local_api, claim, lang="en")

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # no scripts at all
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "<script" not in response.text
    # the page's own forms must keep their Origin: no-referrer would make browsers send "null"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert 'name="referrer" content="same-origin"' in response.text
    assert "49.90" in response.text
    assert str(claim["debtor"]["phone"]) not in response.text


def test_a_form_without_our_token_changes_nothing(local_api: LocalApi) -> None:
    session = local_api.session()
    claim = local_api.create_claim(session)
    token = str(claim["pay_url"]).rsplit("/", 1)[-1]

    forged = requests.post(f"{local_api.url}/pay/{token}/dispute", data={"reason": "other"}, timeout=30)
    cross_site = requests.post(
        f"{local_api.url}/pay/{token}/pause",
        data={"csrf": _csrf(_page(local_api, claim).text), "reason": "x"},
        headers={"Origin": "https://evil.example"},
        timeout=30,
    )

    assert forged.status_code == 403
    assert cross_site.status_code == 403
    view = session.get(f"{local_api.url}/v1/claims/{claim['id']}", timeout=30).json()
    assert view["agreement"] is None


def test_the_json_page_offers_the_same_facts_and_actions(local_api: LocalApi) -> None:
    claim = local_api.create_claim(local_api.session(), amount=12345)
    token = str(claim["pay_url"]).rsplit("/", 1)[-1]

    view = requests.get(f"{local_api.url}/v1/pay/{token}", timeout=30).json()

    assert view["amounts"]["balance"] == 12345
    assert view["bank_transfer"]["reference"] == claim["payment_reference"]
    assert view["bank_transfer"]["girocode"].startswith("BCD\n002\n1\nSCT\n")
    assert view["limits"]["instalment_counts"]
    checkout = requests.post(f"{local_api.url}/v1/pay/{token}/checkout", json={}, timeout=30)
    assert checkout.status_code == 200
    assert checkout.json()["url"].startswith(local_api.url)
