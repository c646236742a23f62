"""plan_next_step: whether to contact, hold or finish, and with which stage, channels, tone and time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.decisions import Action, plan_next_step
from chalicelib.domain.ladder import DEFAULT_LADDER, Channel, Tone
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment

pytestmark = pytest.mark.unit

# Mon 2 Nov 2026, 10:00 UTC (11:00 in Berlin). Every default stage then falls on a Thursday or
# Friday at 11:00 Berlin time, inside the contact window, so send_at is exactly anchor + offset.
ANCHOR = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
INDEX = {s.name: i for i, s in enumerate(DEFAULT_LADDER.stages)}


def make_debtor(**overrides: Any) -> Debtor:
    fields: dict[str, Any] = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "+4915112345678",
        "language": "de",
        "kind": DebtorKind.CONSUMER,
        "country": "DE",
    }
    fields.update(overrides)
    return Debtor(**fields)


def make_claim(next_stage: str = "reminder", **overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "claim_id": "01JCLAIM000000000000000000",
        "tenant_id": "tenant-a",
        "external_id": "INV-1",
        "debtor": make_debtor(),
        "ledger": Ledger("EUR", principal=12345),
        "due_date": date(2026, 11, 2),
        "segment": Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": ANCHOR,
        "payment_reference": "RF31DYZB89MNPF",
        "created_at": datetime(2026, 10, 20, 9, 30, tzinfo=UTC),
        "status": Status.DUNNING,
        "next_stage_index": INDEX[next_stage],
    }
    fields.update(overrides)
    return Claim(**fields)


def stage_time(stage: str) -> datetime:
    return ANCHOR + timedelta(days=DEFAULT_LADDER.stages[INDEX[stage]].offset_days)


EARLY = datetime(2026, 10, 21, 9, 0, tzinfo=UTC)  # before every stage


# --- finish -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PAID, Status.CANCELLED, Status.HANDED_OVER])
def test_a_closed_claim_finishes(status: Status) -> None:
    plan = plan_next_step(make_claim(status=status), EARLY)
    assert plan.action == Action.FINISH
    assert plan.stage is None
    assert plan.channels == ()


@pytest.mark.parametrize("status", [Status.OPEN, Status.DUNNING, Status.PROMISED, Status.DISPUTED])
def test_a_claim_with_a_settled_balance_finishes_whatever_its_status(status: Status) -> None:
    claim = make_claim(status=status, ledger=Ledger("EUR", principal=12345, paid=12345))
    plan = plan_next_step(claim, EARLY)
    assert plan.action == Action.FINISH
    assert "balance" in plan.reason


def test_a_claim_past_its_last_stage_finishes() -> None:
    claim = make_claim(next_stage_index=len(DEFAULT_LADDER.stages))
    plan = plan_next_step(claim, EARLY)
    assert plan.action == Action.FINISH
    assert "exhausted" in plan.reason


# --- hold ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PROMISED, Status.INSTALMENTS, Status.DISPUTED])
def test_a_promise_instalments_or_dispute_holds_the_ladder(status: Status) -> None:
    plan = plan_next_step(make_claim(status=status), EARLY)
    assert plan.action == Action.HOLD
    assert plan.send_at is None
    assert plan.channels == ()


# --- contact ------------------------------------------------------------------------------------


def test_a_new_claim_starts_with_the_pre_due_reminder_by_email() -> None:
    plan = plan_next_step(make_claim("pre_due_reminder", status=Status.OPEN), EARLY)
    assert plan.action == Action.CONTACT
    assert plan.stage is not None
    assert plan.stage.name == "pre_due_reminder"
    assert plan.stage_index == 0
    assert plan.channels == (Channel.EMAIL,)
    assert plan.tone == Tone.FRIENDLY
    assert plan.send_at == ANCHOR - timedelta(days=3)


def test_the_next_stage_is_planned_for_anchor_plus_its_offset() -> None:
    plan = plan_next_step(make_claim("sms"), EARLY)
    assert plan.action == Action.CONTACT
    assert plan.stage_index == INDEX["sms"]
    assert plan.channels == (Channel.SMS,)
    assert plan.send_at == stage_time("sms") == datetime(2026, 11, 12, 10, 0, tzinfo=UTC)


def test_an_overdue_stage_is_sent_now() -> None:
    # GIVEN the SMS was due on Thu 12 Nov and it is now Tue 17 Nov, 13:00 UTC (14:00 in Berlin)
    now = datetime(2026, 11, 17, 13, 0, tzinfo=UTC)
    # WHEN
    plan = plan_next_step(make_claim("sms"), now)
    # THEN
    assert plan.send_at == now


def test_a_stage_that_falls_into_the_night_waits_for_the_contact_window() -> None:
    # GIVEN an anchor at midnight UTC: the SMS stage falls on Thu 12 Nov at 01:00 in Berlin
    claim = make_claim("sms", schedule_anchor=datetime(2026, 11, 2, 0, 0, tzinfo=UTC))
    # WHEN
    plan = plan_next_step(claim, EARLY)
    # THEN it is sent when the window opens, 08:00 Berlin (07:00 UTC in winter)
    assert plan.send_at == datetime(2026, 11, 12, 7, 0, tzinfo=UTC)


def test_push_is_used_only_when_the_debtor_has_a_push_endpoint() -> None:
    claim = make_claim("reminder")
    assert plan_next_step(claim, EARLY).channels == (Channel.EMAIL,)
    assert plan_next_step(claim, EARLY, has_push_endpoint=True).channels == (Channel.EMAIL, Channel.PUSH)


@pytest.mark.parametrize("stage", ["sms", "call"])
def test_sms_and_call_are_dropped_for_a_debtor_without_phone(stage: str) -> None:
    # GIVEN
    claim = make_claim(stage, debtor=make_debtor(phone=""))
    # WHEN
    plan = plan_next_step(claim, EARLY)
    # THEN the stage still comes, with nothing to send on, and says why
    assert plan.action == Action.CONTACT
    assert plan.channels == ()
    assert plan.reason == "no reachable channel"
    assert plan.send_at == stage_time(stage)


@pytest.mark.parametrize(("stage", "channel"), [("sms", "sms"), ("call", "call"), ("reminder", "email")])
def test_a_channel_the_debtor_opted_out_of_is_dropped(stage: str, channel: str) -> None:
    claim = make_claim(stage, debtor=make_debtor(opt_outs=frozenset({channel})))
    plan = plan_next_step(claim, EARLY, has_push_endpoint=True)
    assert channel not in plan.channels


def test_opting_out_of_email_leaves_the_letter_of_the_final_notice() -> None:
    claim = make_claim("final_notice", debtor=make_debtor(opt_outs=frozenset({"email"})))
    assert plan_next_step(claim, EARLY).channels == (Channel.LETTER,)


def test_a_consumer_gets_the_friendly_tone_of_the_reminder() -> None:
    assert plan_next_step(make_claim("reminder"), EARLY).tone == Tone.FRIENDLY


def test_a_business_gets_a_neutral_tone_instead_of_a_friendly_one() -> None:
    claim = make_claim("reminder", segment=Segment.BUSINESS, debtor=make_debtor(kind=DebtorKind.BUSINESS))
    assert plan_next_step(claim, EARLY).tone == Tone.NEUTRAL


def test_a_business_still_gets_the_firm_tone_of_the_final_notice() -> None:
    claim = make_claim("final_notice", segment=Segment.BUSINESS, debtor=make_debtor(kind=DebtorKind.BUSINESS))
    assert plan_next_step(claim, EARLY).tone == Tone.FIRM


def test_the_last_stage_plans_the_hand_over_to_the_agency() -> None:
    plan = plan_next_step(make_claim("agency"), EARLY)
    assert plan.action == Action.CONTACT
    assert plan.channels == (Channel.AGENCY,)
    assert plan.send_at == stage_time("agency")


def test_a_partial_payment_keeps_the_next_stage_date() -> None:
    # GIVEN two claims at the SMS stage, one of them half paid
    unpaid = make_claim("sms")
    partly_paid = make_claim("sms", ledger=Ledger("EUR", principal=12345, paid=6000))
    # WHEN
    plan_unpaid = plan_next_step(unpaid, EARLY)
    plan_partly_paid = plan_next_step(partly_paid, EARLY)
    # THEN the payment re-anchors nothing: the SMS comes on its day, for the rest
    assert plan_partly_paid.action == Action.CONTACT
    assert plan_partly_paid.stage_index == INDEX["sms"]
    assert plan_partly_paid.send_at == plan_unpaid.send_at == stage_time("sms")


def test_a_stage_sent_late_pushes_the_next_stage_by_the_same_delay() -> None:
    # GIVEN the reminder (due Thu 5 Nov) only went out on Mon 9 Nov at 10:00 UTC
    claim = make_claim("sms", stage="reminder", stage_completed_at=datetime(2026, 11, 9, 10, 0, tzinfo=UTC))
    # WHEN
    plan = plan_next_step(claim, EARLY)
    # THEN the SMS comes 7 days after it, not on its ladder date of Thu 12 Nov
    assert plan.send_at == datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
