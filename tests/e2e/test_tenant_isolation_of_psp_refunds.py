"""The cross-tenant refund attack over HTTP: another tenant naming our PSP payment cannot make our refund vanish."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from infra.local.psp_signing import adyen_notification, sign_adyen_item
from infra.local.seed import SECRETS

if TYPE_CHECKING:
    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

EVENTS = Path(__file__).parents[1] / "events" / "adyen"


def adyen_item(name: str, **changes: Any) -> dict[str, Any]:
    item = json.loads((EVENTS / f"{name}.json").read_text())["notificationItems"][0]["NotificationRequestItem"]
    item.update(changes)
    return dict(item)


def post_adyen(api: LocalApi, tenant: str, item: dict[str, Any]) -> requests.Response:
    body = adyen_notification(sign_adyen_item(item, SECRETS["adyen"]))
    return requests.post(f"{api.url}/v1/webhooks/{tenant}/adyen", json=body, timeout=60)


def test_a_refund_stays_applied_to_the_claim_its_payment_paid_when_another_tenant_names_the_same_payment(
    local_api: LocalApi,
) -> None:
    ours_session, theirs_session = local_api.session("local-demo-key"), local_api.session("local-other-key")
    # due months ahead: no stage runs while the test does, so the claims' status is theirs to tell
    due = (date.fromisoformat(local_api.today()) + timedelta(days=300)).isoformat()
    ours = local_api.create_claim(ours_session, amount=5240, due_date=due)
    theirs = local_api.create_claim(theirs_session, amount=5240, due_date=due)
    psp_reference = uuid.uuid4().hex[:16].upper()

    # GIVEN our claim paid through Adyen as payment psp_reference
    paid = post_adyen(
        local_api, "demo", adyen_item("authorisation", merchantReference=ours["id"], pspReference=psp_reference)
    )
    assert paid.status_code == 200, paid.text
    assert local_api.claim(ours_session, ours["id"])["status"] == "paid"
    # AND another tenant posts a payment of its own claim naming the same pspReference
    forged = adyen_item(
        "authorisation",
        merchantReference=theirs["id"],
        pspReference=psp_reference,
        amount={"currency": "EUR", "value": 100},
    )
    assert post_adyen(local_api, "other", forged).status_code == 200

    # WHEN our PSP refunds 10.00 of our payment
    refund = adyen_item(
        "refund",
        merchantReference=ours["id"],
        originalReference=psp_reference,
        pspReference=uuid.uuid4().hex[:16].upper(),
    )
    refunded = post_adyen(local_api, "demo", refund)

    # THEN the refund is on our claim, which is due again with it, and the other tenant's claim is untouched
    assert refunded.status_code == 200, refunded.text
    view = local_api.claim(ours_session, ours["id"])
    assert (view["balance"], view["status"]) == (1000, "open")
    reversed_ = [e for e in view["timeline"] if e["type"] == "payment.reversed"]
    assert [(e["kind"], e["amount"]) for e in reversed_] == [("refund", 1000)]
    other = local_api.claim(theirs_session, theirs["id"])
    assert (other["paid"], other["balance"]) == (100, 5140)
    assert [e["type"] for e in other["timeline"]].count("payment.reversed") == 0
