"""plan_next_step: whether to contact, hold or finish, and with which stage, channels, tone and time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.agreement import Promise
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import DebtorKind
from chalicelib.domain.decisions import Action, is_final_notice, plan_next_step
from chalicelib.domain.ladder import DEFAULT_LADDER, Channel, Ladder, Stage, Tone
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment
from tests.factories import make_debtor

pytestmark = pytest.mark.unit

# Mon 2 Nov 2026, 10:00 UTC (11:00 in Berlin). Every default stage then falls on a Thursday or
# Friday at 11:00 Berlin time, inside the contact window, so send_at is exactly anchor + offset.
ANCHOR = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
INDEX = {s.name: i for i, s in enumerate(DEFAULT_LADDER.stages)}


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


# --- reviews of agreements keep the contact window ---------------------------------------------------------------


def promised(deadline: date) -> Claim:
    return make_claim(status=Status.PROMISED, agreement=Promise(deadline - timedelta(days=3), deadline))


def test_a_promise_is_reviewed_at_eight_on_its_deadline_not_at_midnight_utc() -> None:
    # GIVEN a promise whose deadline is Thursday 12 November 2026 (Berlin is UTC+1 in November)
    claim = promised(date(2026, 11, 12))
    midnight, eight = datetime(2026, 11, 12, 0, 0, tzinfo=UTC), datetime(2026, 11, 12, 7, 0, tzinfo=UTC)

    # WHEN the planner looks the evening before, at midnight UTC, and at 08:00 in Berlin
    before, at_midnight, at_eight = (plan_next_step(claim, t) for t in (midnight - timedelta(hours=5), midnight, eight))

    # THEN it holds until 08:00 in Berlin, and reviews then: the review may send "promise missed"
    assert (before.action, before.until) == (Action.HOLD, eight)
    assert (at_midnight.action, at_midnight.until) == (Action.HOLD, eight)
    assert at_eight.action == Action.REVIEW


def test_a_review_falling_on_a_sunday_waits_for_monday_morning() -> None:
    claim = promised(date(2026, 11, 15))  # a Sunday

    plan = plan_next_step(claim, datetime(2026, 11, 15, 10, 0, tzinfo=UTC))

    assert (plan.action, plan.until) == (Action.HOLD, datetime(2026, 11, 16, 7, 0, tzinfo=UTC))


def test_a_review_that_woke_late_at_night_waits_for_the_next_window() -> None:
    claim = promised(date(2026, 11, 12))

    plan = plan_next_step(claim, datetime(2026, 11, 13, 21, 30, tzinfo=UTC))

    assert (plan.action, plan.until) == (Action.HOLD, datetime(2026, 11, 14, 7, 0, tzinfo=UTC))


# --- the final notice ----------------------------------------------------------------------------------------------


def test_the_last_firm_stage_before_the_agency_is_the_final_notice_and_no_other() -> None:
    ladder = Ladder(
        (
            Stage("reminder", 3, (Channel.EMAIL,), Tone.FRIENDLY),
            Stage("warning", 10, (Channel.EMAIL,), Tone.FIRM),
            Stage("last_letter", 20, (Channel.LETTER,), Tone.FIRM),
            Stage("agency", 30, (Channel.AGENCY,), Tone.FIRM),
        )
    ).stages

    assert [s.name for s in ladder if is_final_notice(ladder, s)] == ["last_letter"]


def test_a_ladder_without_an_agency_ends_with_its_final_notice_if_the_ladder_makes_it_firm() -> None:
    firm_end = (Stage("reminder", 3, (Channel.EMAIL,)), Stage("last", 14, (Channel.EMAIL,), Tone.FIRM))
    gentle_end = (Stage("reminder", 3, (Channel.EMAIL,)), Stage("sms", 14, (Channel.SMS,), Tone.NEUTRAL))

    assert [s.name for s in firm_end if is_final_notice(firm_end, s)] == ["last"]
    assert [s for s in gentle_end if is_final_notice(gentle_end, s)] == []


def test_a_broken_promise_raises_the_sms_to_a_firm_tone_without_making_it_the_final_notice() -> None:
    claim = make_claim("sms", tone_boost=1)

    plan = plan_next_step(claim, EARLY)

    assert plan.stage is not None
    assert plan.tone == Tone.FIRM
    assert not is_final_notice(claim.stages, plan.stage)
