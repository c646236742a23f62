"""The agency is told, on in-memory ports: what is forwarded, what waits for the hand-over, retries and parking."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from chalicelib.domain.agency_updates import UPDATE_ATTEMPTS, UPDATE_RETRY_SCHEDULE, FileState, QueuedUpdate
from chalicelib.domain.webhook_delivery import PublishedEvent
from chalicelib.services.handover import HandOverFailedError, hand_over
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentRecord
from tests.unit.fake_world import at_stage, world
from tests.unit.fake_world import hand_over as new_claim

if TYPE_CHECKING:
    from chalicelib.domain.agency_updates import AgencyUpdate
    from chalicelib.domain.claim import Claim
    from tests.fakes import InMemoryPorts

pytestmark = pytest.mark.unit


def at_the_agency_stage(ports: InMemoryPorts) -> Claim:
    return at_stage(ports, new_claim(ports, amount=10000), "agency")


def pay(ports: InMemoryPorts, claim: Claim, amount: int, key: str) -> None:
    record_payment(claim.claim_id, claim.tenant_id, PaymentRecord(key, amount, "EUR", "merchant"), ports.money())


def stream(ports: InMemoryPorts, claim: Claim) -> list[PublishedEvent]:
    """The claim's timeline as the events stream hands it over."""
    return [
        PublishedEvent(claim.tenant_id, claim.claim_id, e.event_id, str(e.type), e.at, e.data)
        for e in ports.timeline.events(claim.claim_id)
    ]


def queued(ports: InMemoryPorts, attempt: int = 1) -> QueuedUpdate:
    return QueuedUpdate(ports.agency_queue.queued[-1], attempt, receipt="r-1")


def ids(updates: list[AgencyUpdate]) -> list[str]:
    return [u.type for u in updates]


def test_money_events_of_a_claim_at_the_agency_are_queued_and_nothing_else() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 10000, "merchant#all")

    queued_now = ports.agency_updates().forward(stream(ports, claim))

    assert ids(ports.agency_queue.queued) == ["payment.received", "claim.paid"]
    assert queued_now == 2
    first = ports.agency_queue.queued[0]
    assert (first.handover_id, first.agency_reference) == (f"shop-{claim.claim_id}", "AG-1")
    assert (first.claim["balance"], first.claim["status"], first.event["amount"]) == (0, "paid", 10000)


def test_events_of_a_claim_never_handed_over_are_not_queued() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    pay(ports, claim, 4000, "merchant#part")

    assert ports.agency_updates().forward(stream(ports, claim)) == 0
    assert ports.agency_queue.queued == []


def test_the_file_is_open_before_the_agency_reads_the_document_and_says_what_the_document_showed() -> None:
    # GIVEN a payment before the hand-over, and an agency that checks the file while it takes the claim
    ports = world()
    claim = at_the_agency_stage(ports)
    pay(ports, claim, 4000, "merchant#early")
    seen: list[FileState | None] = []
    ports.agency.during_hand_over = lambda _payload: seen.append(
        getattr(ports.agency_files.get(claim.claim_id), "state", None)
    )

    # WHEN the claim is handed over
    assert hand_over(claim.claim_id, claim.tenant_id, ports.handover()) == "handed_over"

    # THEN the file was open (started) while the agency took it, and now names the payment the document showed
    assert seen == [FileState.STARTED]
    file = ports.agency_files.get(claim.claim_id)
    assert file is not None
    [early] = [e for e in ports.timeline.events(claim.claim_id) if e.type == "payment.received"]
    assert (file.state, file.reference, file.covered) == (FileState.FILED, "AG-1", frozenset({early.event_id}))


def test_an_update_the_document_already_showed_is_dropped_not_sent() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    pay(ports, claim, 4000, "merchant#early")
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    service = ports.agency_updates()
    service.forward(stream(ports, claim))  # the stream was behind: the early payment is read after the file opened

    assert service.deliver(queued(ports)) == "covered"
    assert ports.agency.update_attempts == 0


def test_an_update_waits_while_the_hand_over_is_still_being_sent() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    updates = ports.agency_updates()
    results: list[str] = []

    def pay_while_the_agency_takes_the_claim(_payload: dict[str, Any]) -> None:
        pay(ports, claim, 1000, "merchant#race")
        updates.forward(stream(ports, claim))
        results.append(updates.deliver(queued(ports)))

    ports.agency.during_hand_over = pay_while_the_agency_takes_the_claim

    hand_over(claim.claim_id, claim.tenant_id, ports.handover())

    assert results == ["retry"]
    assert ports.agency.update_attempts == 0
    assert updates.deliver(queued(ports, attempt=2)) == "delivered"
    assert [u.event["amount"] for u in ports.agency.updates] == [1000]


def test_a_failed_attempt_is_retried_on_the_webhook_schedule_then_parked() -> None:
    ports = world()  # 86400 s a day: strategy time is real time
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 1000, "merchant#down")
    service = ports.agency_updates()
    service.forward(stream(ports, claim))
    ports.agency.be_down_for_updates(UPDATE_ATTEMPTS)

    outcomes = [service.deliver(queued(ports, attempt)) for attempt in range(1, UPDATE_ATTEMPTS + 1)]

    assert outcomes == ["retry"] * (UPDATE_ATTEMPTS - 1) + ["parked"]
    delays = [timedelta(seconds=delay) for _, delay in ports.agency_queue.retried]
    assert delays == list(UPDATE_RETRY_SCHEDULE[1:])
    [(parked, reason)] = ports.agency_queue.parked
    assert (parked.type, reason) == ("payment.received", "agency answered HTTP 503")


def test_an_update_the_agency_refuses_is_parked_without_retries() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 1000, "merchant#refused")
    service = ports.agency_updates()
    service.forward(stream(ports, claim))
    ports.agency.refuse_updates()

    assert service.deliver(queued(ports)) == "parked"
    assert ports.agency_queue.retried == []


def test_an_agency_that_refused_the_claim_gets_no_updates() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    ports.agency.refuse()
    with pytest.raises(HandOverFailedError):
        hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 1000, "merchant#after")

    assert ports.agency_updates().forward(stream(ports, claim)) == 0
    assert getattr(ports.agency_files.get(claim.claim_id), "state", None) is FileState.FAILED


def test_an_update_queued_before_the_agency_refused_the_claim_is_dropped() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 1000, "merchant#late")
    service = ports.agency_updates()
    service.forward(stream(ports, claim))
    ports.agency_files.refused(claim.claim_id)

    assert service.deliver(queued(ports)) == "dropped"


def test_another_tenants_event_for_the_claim_id_is_not_forwarded() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    pay(ports, claim, 1000, "merchant#mine")
    forged = [replace(e, tenant_id="other") for e in stream(ports, claim)]

    assert ports.agency_updates().forward(forged) == 0


def test_a_claim_handed_over_again_keeps_its_file_and_its_reference() -> None:
    ports = world()
    claim = at_the_agency_stage(ports)
    hand_over(claim.claim_id, claim.tenant_id, ports.handover())
    before = ports.agency_files.get(claim.claim_id)

    assert hand_over(claim.claim_id, claim.tenant_id, ports.handover()) == "already_handed_over"
    assert ports.agency_files.get(claim.claim_id) == before
