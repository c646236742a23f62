"""The merchant's claim use cases on in-memory ports: hand over once, read only your own, cancel and stop dunning."""

from __future__ import annotations

from dataclasses import replace
from itertools import chain, repeat

import pytest

from chalicelib.domain.claim import Status
from chalicelib.domain.errors import ClaimNotFoundError, InvalidInputError
from chalicelib.domain.events import EventType
from chalicelib.domain.payment_reference import new_reference
from chalicelib.services import claims as claim_service
from chalicelib.services.claims import IdempotencyKeyReusedError, cancel_claim, create_claim, get_claim, list_claims
from tests.unit.fake_world import PAY_SECRET, TENANT, hand_over, new_claim, waiting, world

pytestmark = pytest.mark.unit


def test_a_new_claim_is_stored_with_its_ladder_and_its_execution_is_started() -> None:
    ports = world()

    created = create_claim(new_claim(ports, amount=4990), TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET)

    claim = created.claim
    assert created.created
    assert (claim.status, claim.ledger.balance) == (Status.OPEN, 4990)
    assert ports.workflow.starts == [(claim.claim_id, "shop", 0)]
    [event] = ports.timeline.events(claim.claim_id)
    assert event.type == EventType.CLAIM_CREATED
    assert event.data["stages"] == [s.name for s in claim.stages]


def test_the_same_invoice_handed_over_again_is_the_claim_that_exists() -> None:
    ports = world()
    command = new_claim(ports)
    first = create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET)

    again = create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET)

    assert (again.created, again.claim.claim_id) == (False, first.claim.claim_id)
    assert len(ports.claims.page("shop", None, None, 10).items) == 1
    # the first request may have died before starting the execution: starting again is harmless
    assert [c for c, _, _ in ports.workflow.starts] == [first.claim.claim_id] * 2


def test_an_idempotency_key_replays_its_request_and_refuses_another() -> None:
    ports = world()
    command = new_claim(ports)
    first = create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET, "key-1")

    replayed = create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET, "key-1")
    with pytest.raises(IdempotencyKeyReusedError):
        other = replace(command, amount=command.amount + 1)
        create_claim(other, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET, "key-1")

    assert (replayed.created, replayed.claim.claim_id) == (False, first.claim.claim_id)


def test_a_closed_claim_handed_over_again_starts_no_execution() -> None:
    ports = world()
    command = new_claim(ports)
    claim = create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET).claim
    ports.given(replace(ports.claims.get(claim.claim_id), status=Status.PAID))

    create_claim(command, TENANT, ports.claims, ports.workflow, ports.clock, PAY_SECRET)

    assert len(ports.workflow.starts) == 1


def test_a_payment_reference_taken_already_is_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a claim holding the reference the next draw would give
    ports = world()
    taken = hand_over(ports).payment_reference
    fresh = new_reference()
    draws = chain([taken, taken], repeat(fresh))
    monkeypatch.setattr(claim_service, "new_reference", lambda: next(draws))
    # WHEN another claim is handed over
    claim = hand_over(ports)
    # THEN it gets a reference of its own
    assert claim.payment_reference == fresh
    assert ports.claims.find_by_payment_reference(fresh) == claim.claim_id


@pytest.mark.parametrize("amount", [0, -1])
def test_a_claim_of_nothing_is_refused_and_nothing_is_stored(amount: int) -> None:
    ports = world()

    with pytest.raises(InvalidInputError) as refused:
        hand_over(ports, amount=amount)

    assert refused.value.field == "amount"
    assert ports.claims.page("shop", None, None, 10).items == []
    assert ports.workflow.starts == []


def test_another_tenants_claim_does_not_exist_for_this_one() -> None:
    ports = world()
    claim = hand_over(ports)

    with pytest.raises(ClaimNotFoundError):
        get_claim(claim.claim_id, "someone-else", ports.claims, ports.timeline)
    assert list_claims("someone-else", None, None, 10, ports.claims).items == []


def test_a_claim_is_read_with_its_timeline() -> None:
    ports = world()
    claim = hand_over(ports)

    read, events = get_claim(claim.claim_id, "shop", ports.claims, ports.timeline)

    assert read.claim_id == claim.claim_id
    assert [e.type for e in events] == [EventType.CLAIM_CREATED]


def test_claims_are_listed_newest_first_page_by_page_and_by_status() -> None:
    ports = world()
    ids = [hand_over(ports).claim_id for _ in range(3)]
    cancel_claim(ids[0], "shop", None, ports.claims, ports.workflow, ports.clock)

    first = list_claims("shop", None, None, 2, ports.claims)
    rest = list_claims("shop", None, first.cursor, 2, ports.claims)
    cancelled = list_claims("shop", "cancelled", None, 10, ports.claims)

    assert [c.claim_id for c in first.items + rest.items] == sorted(ids, reverse=True)
    assert rest.cursor is None
    assert [c.claim_id for c in cancelled.items] == [ids[0]]


def test_listing_an_unknown_status_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError) as refused:
        list_claims("shop", "forgotten", None, 10, world().claims)

    assert refused.value.field == "status"


def test_cancelling_stops_dunning_at_once_and_twice_changes_nothing() -> None:
    ports = world()
    claim = waiting(ports, hand_over(ports))

    cancelled = cancel_claim(claim.claim_id, "shop", "credit note 77", ports.claims, ports.workflow, ports.clock)
    cancel_claim(claim.claim_id, "shop", "credit note 77", ports.claims, ports.workflow, ports.clock)

    assert cancelled.status == Status.CANCELLED
    assert ports.workflow.events_for("token-1")[0] == "cancelled"
    cancellations = [e for e in ports.timeline.events(claim.claim_id) if e.type == EventType.CLAIM_CANCELLED]
    assert [e.data["reason"] for e in cancellations] == ["credit note 77"]
