"""The final notice books its charges before it is sent: the API's balance is the balance the message asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.harness import wait_for

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration


def test_the_balance_reported_after_the_final_notice_is_the_one_it_asks_for(harness: Harness) -> None:
    # GIVEN a business claim that reaches the final notice
    claim = harness.create_claim(amount=189000, debtor={"kind": "business", "name": "Müller Bau GmbH"})
    notice = wait_for(
        lambda: [m for m in harness.outbox(claim["id"]) if (m["stage"], m["channel"]) == ("final_notice", "email")],
        timeout=30,
    )[0]

    # WHEN the debtor pays exactly what the API reports right after the notice went out
    view = harness.claim(claim["id"])
    harness.post(f"/v1/claims/{claim['id']}/payments", {"amount": view["balance"], "reference": "full"})

    # THEN that includes the €40 flat fee the notice shows, and the claim is settled
    assert view["fees"] == 4000
    assert "1.930,00" in notice["body"]
    assert harness.claim(claim["id"])["status"] == "paid"
    assert not harness.agency.received
