"""What the collection agency receives: everything § 13a RDG asks of its first demand, and the history."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.events import Event, EventType
from chalicelib.domain.handover import handover_payload
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment
from chalicelib.domain.tenant import Tenant

pytestmark = pytest.mark.unit

CREATED = datetime(2026, 10, 20, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TENANT = Tenant("tenant-a", "Gartenwelt & Söhne GmbH", address="Hauptstraße 1, 10115 Berlin")


def make_claim(**overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "claim_id": "01JCLAIM000000000000000000",
        "tenant_id": "tenant-a",
        "external_id": "A-4711",
        "debtor": Debtor(
            "Erika Mustermann", "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE", date(2026, 1, 5)
        ),
        "ledger": Ledger("EUR", principal=100000, fees=250, interest=361, paid=20000),
        "due_date": date(2026, 11, 2),
        "segment": Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": datetime(2026, 11, 2, tzinfo=UTC),
        "payment_reference": "RF31DYZB89MNPF",
        "created_at": CREATED,
        "status": Status.DUNNING,
        "stage": "final_notice",
        "next_stage_index": 5,
        "description": "Order 4711: garden chairs",
    }
    fields.update(overrides)
    return Claim(**fields)


CHARGES_DATA = {
    "stage": "final_notice",
    "fees": [{"kind": "reminder_fee", "amount": 250}],
    "interest": [{"from": "2026-11-06", "to": "2026-11-26", "percent": "6.27", "days": 21, "amount": 361}],
    "balance": 80611,
}


def at(day: int, month: int = 11, hour: int = 8) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


EVENTS = [
    Event(EventType.CLAIM_CREATED, CREATED, {"amount": 100000, "currency": "EUR"}, "01JEV1"),
    Event(EventType.MESSAGE_SENT, at(5), {"stage": "reminder", "channel": "email"}, "01JEV2"),
    Event(EventType.MESSAGE_SENT, at(12), {"stage": "sms", "channel": "sms"}, "01JEV3"),
    Event(EventType.PAYMENT_RECEIVED, at(14, hour=12), {"amount": 20000}, "01JEV4"),
    Event(EventType.MESSAGE_FAILED, at(19), {"stage": "call", "channel": "call"}, "01JEV5"),
    Event(EventType.CHARGES_ADDED, at(26), CHARGES_DATA, "01JEV6"),
    Event(EventType.MESSAGE_SENT, at(26), {"stage": "final_notice"}, "01JEV7"),
]
PAYMENTS = [{"payment_id": "pay_1", "amount": 20000, "currency": "EUR", "received_at": "2026-11-14T12:00:00+00:00"}]


def payload(claim: Claim | None = None, now: datetime = NOW) -> dict[str, Any]:
    return handover_payload(claim or make_claim(), TENANT, EVENTS, PAYMENTS, now)


def test_the_creditor_is_named_with_its_address() -> None:
    assert payload()["creditor"] == {
        "id": "tenant-a",
        "name": "Gartenwelt & Söhne GmbH",
        "address": "Hauptstraße 1, 10115 Berlin",
    }


def test_the_reason_for_the_claim_carries_the_contract_reference_subject_and_dates() -> None:
    claim = payload()["claim"]
    assert claim["id"] == "01JCLAIM000000000000000000"
    assert claim["external_id"] == "A-4711"
    assert claim["description"] == "Order 4711: garden chairs"
    assert claim["invoice_date"] is None  # the shop did not give one: Mahnwerk does not invent it
    assert claim["due_date"] == "2026-11-02"
    assert claim["payment_reference"] == "RF31DYZB89MNPF"


def test_the_amounts_show_principal_interest_fees_payments_and_balance() -> None:
    claim = payload()["claim"]
    assert claim["currency"] == "EUR"
    assert (claim["principal"], claim["interest"], claim["fees"], claim["paid"]) == (100000, 361, 250, 20000)
    assert claim["balance"] == 80611


def test_the_fees_and_interest_carry_their_reasons_from_the_charges_events() -> None:
    charges = payload()["charges"]
    assert charges == [CHARGES_DATA]
    assert charges[0]["fees"] == [{"kind": "reminder_fee", "amount": 250}]
    assert charges[0]["interest"][0]["percent"] == "6.27"
    assert charges[0]["interest"][0]["days"] == 21


def test_a_claim_without_charges_hands_over_no_charges() -> None:
    without = [e for e in EVENTS if e.type != EventType.CHARGES_ADDED]
    assert handover_payload(make_claim(), TENANT, without, PAYMENTS, NOW)["charges"] == []


def test_the_payments_received_are_listed() -> None:
    assert payload()["payments"] == PAYMENTS


def test_a_vat_note_is_included() -> None:
    assert "VAT" in payload()["claim"]["vat_note"]


def test_the_debtors_data_is_included() -> None:
    assert payload()["debtor"] == {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "+4915112345678",
        "kind": "consumer",
        "country": "DE",
        "language": "de",
    }


def test_the_full_contact_history_is_included_in_order() -> None:
    history = payload()["contact_history"]
    assert [entry["id"] for entry in history] == [e.event_id for e in EVENTS]
    assert [entry["type"] for entry in history] == [
        "claim.created",
        "message.sent",
        "message.sent",
        "payment.received",
        "message.failed",
        "charges.added",
        "message.sent",
    ]
    assert history[1] == {"id": "01JEV2", "type": "message.sent", "at": "2026-11-05T08:00:00+00:00", **EVENTS[1].data}


def test_the_hand_over_time_is_recorded() -> None:
    assert payload()["handed_over_at"] == "2026-12-03T10:00:00+00:00"


def test_the_handover_id_is_stable_across_retries() -> None:
    # GIVEN the same claim handed over twice, a minute apart (a retried POST)
    first = payload(now=NOW)
    retry = payload(now=NOW + timedelta(minutes=1))
    # THEN the agency can recognise the retry
    assert first["handover_id"] == retry["handover_id"]
    assert first["handover_id"] == payload(replace(make_claim(), ledger=Ledger("EUR", 100000)))["handover_id"]


def test_another_claim_has_another_handover_id() -> None:
    assert payload()["handover_id"] != payload(make_claim(claim_id="01JCLAIM000000000000000001"))["handover_id"]


def test_the_payload_is_plain_json() -> None:
    assert json.loads(json.dumps(payload())) == payload()


def test_the_payload_dates_the_invoice_not_the_day_mahnwerk_received_the_claim() -> None:
    # GIVEN an invoice of 20 Oct, due on 2 Nov, that the shop hands to Mahnwerk on 1 Feb
    late = make_claim(created_at=datetime(2027, 2, 1, 9, tzinfo=UTC), invoice_date=date(2026, 10, 20))
    # THEN
    claim = payload(late)["claim"]
    assert claim["invoice_date"] == "2026-10-20"
    assert claim["received_at"].startswith("2027-02-01")
