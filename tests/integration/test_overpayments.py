"""Over-payments are kept for a refund: shown on the claim, announced to the merchant, and brought to zero by it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.harness import without_notices
from tests.integration.test_agency_updates import stripe, stripe_event
from tests.integration.test_outbound_webhooks import register

if TYPE_CHECKING:
    from typing import Any

    from tests.harness import Harness
    from tests.integration.receivers import Receiver

pytestmark = pytest.mark.integration


def overpaid_claim(harness: Harness) -> dict[str, Any]:
    """A claim of 123.45 that the debtor paid twice by bank transfer: once in full and 10.00 more."""
    claim = harness.create_claim()
    for amount, reference in ((12345, "transfer-1"), (1000, "transfer-2")):
        assert (
            harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": amount, "reference": reference}).status_code
            == 201
        )
    return claim


def refund(harness: Harness, claim: dict[str, Any], amount: int, reference: str = "refund-1") -> Any:
    return harness.post(f"/v1/claims/{claim['id']}/refunds", {"amount": amount, "reference": reference})


def test_an_over_payment_is_on_the_claim_and_reaches_the_merchants_webhooks(
    harness: Harness, receiver: Receiver
) -> None:
    endpoint = register(harness, receiver.url, ["payment.overpaid"])

    claim = overpaid_claim(harness)
    harness.pump_events()

    view = harness.claim(claim["id"])
    assert (view["status"], view["balance"], view["overpaid"]) == ("paid", 0, 1000)
    [announced] = receiver.verified(endpoint["secret"])
    assert (announced["type"], announced["data"]["claim_id"], announced["data"]["amount"]) == (
        "payment.overpaid",
        claim["id"],
        1000,
    )


def test_a_refund_the_merchant_records_brings_the_over_payment_to_zero_and_the_claim_stays_paid(
    harness: Harness, receiver: Receiver
) -> None:
    endpoint = register(harness, receiver.url, ["payment.reversed"])
    claim = overpaid_claim(harness)

    first = refund(harness, claim, 1000)
    again = refund(harness, claim, 1000)
    harness.pump_events()

    assert (first.status_code, again.status_code) == (201, 200)
    assert (first.json_body["status"], first.json_body["balance"], first.json_body["overpaid"]) == ("paid", 0, 0)
    assert again.json_body["paid"] == 12345
    [reversed_] = receiver.verified(endpoint["secret"])
    assert (reversed_["data"]["amount"], reversed_["data"]["kind"], reversed_["data"]["balance"]) == (1000, "refund", 0)


def test_a_refund_in_parts_brings_it_down_step_by_step(harness: Harness) -> None:
    claim = overpaid_claim(harness)

    assert refund(harness, claim, 400, "refund-a").json_body["overpaid"] == 600
    assert refund(harness, claim, 600, "refund-b").json_body["overpaid"] == 0


@pytest.mark.parametrize("amount", [1001, 0])
def test_a_refund_beyond_the_over_payment_is_refused_naming_the_amount_and_changes_nothing(
    harness: Harness, amount: int
) -> None:
    claim = overpaid_claim(harness)
    before = without_notices(harness.claim(claim["id"]))

    response = refund(harness, claim, amount)

    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "amount"
    assert without_notices(harness.claim(claim["id"])) == before


def test_a_claim_without_an_over_payment_takes_no_refund(harness: Harness) -> None:
    claim = harness.create_claim()

    response = refund(harness, claim, 100)

    assert response.status_code == 400
    assert harness.claim(claim["id"])["paid"] == 0


def test_a_psp_refund_of_the_over_payment_brings_it_to_zero_without_re_opening_the_claim(harness: Harness) -> None:
    # GIVEN a card payment of 133.45 on a claim of 123.45
    claim = harness.create_claim()
    intent = f"pi_{claim['id']}"
    checkout = {"object": "checkout.session", "id": f"cs_{claim['id']}", "client_reference_id": claim["id"]}
    checkout |= {"metadata": {"claim_id": claim["id"]}, "amount_total": 13345, "currency": "eur"}
    checkout |= {"payment_status": "paid", "payment_intent": intent}
    stripe(harness, stripe_event("checkout.session.completed", f"evt_paid_{claim['id']}", checkout))
    assert harness.claim(claim["id"])["overpaid"] == 1000

    # WHEN the merchant refunds the 10.00 in Stripe
    charge = {"object": "charge", "id": f"ch_{claim['id']}", "payment_intent": intent, "amount_refunded": 1000}
    stripe(harness, stripe_event("charge.refunded", f"evt_refund_{claim['id']}", charge | {"currency": "eur"}))

    # THEN nothing is over-paid any more, and the claim stays paid
    view = harness.claim(claim["id"])
    assert (view["status"], view["balance"], view["paid"], view["overpaid"]) == ("paid", 0, 12345, 0)
