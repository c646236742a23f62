"""The debtor's actions on in-memory ports: an agreement once, wakes the ladder, and never two at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from chalicelib.domain.agreement import Dispute, Promise
from chalicelib.domain.claim import Status
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.events import EventType
from chalicelib.services.pay_page import open_pay_page
from chalicelib.services.pay_tokens import pay_token
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentRecord
from chalicelib.services.self_service import SelfServicePorts, act
from tests.unit.fake_world import LINKS, PAY_SECRET, hand_over, waiting, world

if TYPE_CHECKING:
    from typing import Any

    from chalicelib.domain.claim import Claim
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def on_page(ports: InMemoryPorts, claim: Claim, action: str, **data: Any) -> dict[str, Any]:
    token = pay_token(PAY_SECRET, claim.claim_id)
    page = open_pay_page(token, ports.claims, ports.timeline, ports.tenants, ports.clock)
    notices = ports.notices(LINKS)
    deps = SelfServicePorts(ports.claims, ports.timeline, ports.workflow, notices, ports.clock, None, LINKS.base_url)
    return act(page, token, action, data, deps)


def test_a_promise_holds_the_ladder_wakes_the_execution_and_is_confirmed_once() -> None:
    ports = world()
    claim = waiting(ports, hand_over(ports))
    promised = (ports.clock.today() + timedelta(days=7)).isoformat()

    answer = on_page(ports, claim, "promise", date=promised)
    on_page(ports, claim, "promise", date=promised)  # the form sent twice

    assert answer["status"] == "promised"
    assert answer["agreement"]["date"] == promised
    assert isinstance(ports.claims.get(claim.claim_id).agreement, Promise)
    assert ports.timeline.types(claim.claim_id).count(EventType.PROMISE_MADE) == 1
    assert [m.stage for m in ports.sent()] == ["notice:promise_confirmed"]
    assert ports.workflow.events_for("token-1")[0] == "promise"


def test_another_promise_while_one_is_in_force_is_refused_by_name() -> None:
    ports = world()
    claim = hand_over(ports)
    on_page(ports, claim, "promise", date=(ports.clock.today() + timedelta(days=7)).isoformat())

    with pytest.raises(InvalidInputError) as refused:
        on_page(ports, claim, "promise", date=(ports.clock.today() + timedelta(days=9)).isoformat())

    assert refused.value.field == "promise"


def test_a_dispute_may_be_opened_while_a_promise_is_in_force_and_replaces_it() -> None:
    ports = world()
    claim = hand_over(ports)
    on_page(ports, claim, "promise", date=(ports.clock.today() + timedelta(days=7)).isoformat())

    answer = on_page(ports, claim, "dispute", reason="returned", message="I sent the chairs back")

    held = ports.claims.get(claim.claim_id)
    assert (answer["status"], held.status) == ("disputed", Status.DISPUTED)
    assert isinstance(held.agreement, Dispute)
    assert held.agreement.message == "I sent the chairs back"


def test_a_settled_claim_offers_nothing_more() -> None:
    ports = world()
    claim = hand_over(ports, amount=5000)
    record_payment(claim.claim_id, "shop", PaymentRecord("merchant#1", 5000, "EUR", "merchant"), ports.money())

    with pytest.raises(InvalidInputError) as refused:
        on_page(ports, claim, "promise", date=(ports.clock.today() + timedelta(days=7)).isoformat())

    assert refused.value.field == "claim"


def test_card_payment_is_refused_where_no_checkout_is_configured() -> None:
    ports = world()

    with pytest.raises(InvalidInputError) as refused:
        on_page(ports, hand_over(ports), "checkout")

    assert refused.value.field == "checkout"
