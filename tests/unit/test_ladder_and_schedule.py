"""The strategy ladder as data, who gets which stages, and when each stage is due for a claim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.ladder import DEFAULT_LADDER, Channel, Ladder, Stage, Tone
from chalicelib.domain.schedule import Schedule, anchor_for, applicable_stages, stage_due_at, start_of
from chalicelib.domain.segmentation import Segment, segment_of

pytestmark = pytest.mark.unit

DUE = date(2026, 11, 2)
TODAY = date(2026, 10, 20)


def debtor(kind: DebtorKind = DebtorKind.CONSUMER, customer_since: date | None = None) -> Debtor:
    return Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", kind, "DE", customer_since)


def stage_row(name: str, offset_days: int, **overrides: Any) -> dict[str, Any]:
    return {"name": name, "offset_days": offset_days, "channels": ["email"], "tone": "friendly", "fee": 0, **overrides}


def names(stages: tuple[Stage, ...]) -> list[str]:
    return [s.name for s in stages]


# --- the default ladder (README.md, "How it works") ----------------------------------------------


def test_default_ladder_has_the_six_stages_of_the_design_in_order() -> None:
    assert names(DEFAULT_LADDER.stages) == ["pre_due_reminder", "reminder", "sms", "call", "final_notice", "agency"]
    assert [s.offset_days for s in DEFAULT_LADDER.stages] == [-3, 3, 10, 17, 24, 31]


def test_default_ladder_uses_the_channels_of_the_design() -> None:
    assert [s.channels for s in DEFAULT_LADDER.stages] == [
        (Channel.EMAIL,),
        (Channel.EMAIL, Channel.PUSH),
        (Channel.SMS,),
        (Channel.CALL,),
        (Channel.EMAIL, Channel.LETTER),
        (Channel.AGENCY,),
    ]
    assert DEFAULT_LADDER.stages[-1].hands_over
    assert not any(s.hands_over for s in DEFAULT_LADDER.stages[:-1])


def test_default_ladder_grows_firmer_from_friendly_to_neutral_to_firm() -> None:
    tones = {s.name: s.tone for s in DEFAULT_LADDER.stages}
    assert tones["pre_due_reminder"] == tones["reminder"] == Tone.FRIENDLY
    assert tones["sms"] == tones["call"] == Tone.NEUTRAL
    assert tones["final_notice"] == Tone.FIRM


def test_default_ladder_charges_nothing_for_the_reminder_that_causes_default_and_at_most_2_50_later() -> None:
    fees = {s.name: s.fee for s in DEFAULT_LADDER.stages}
    assert fees["pre_due_reminder"] == fees["reminder"] == 0
    assert all(0 <= fee <= 250 for fee in fees.values())
    assert fees["final_notice"] == 250


def test_default_ladder_charges_interest_only_with_the_final_notice() -> None:
    assert [s.name for s in DEFAULT_LADDER.stages if s.charges_interest] == ["final_notice"]


def test_default_pre_due_reminder_is_only_for_new_customers() -> None:
    pre_due = DEFAULT_LADDER.stages[0]
    assert pre_due.applies_to(Segment.NEW)
    assert not pre_due.applies_to(Segment.RELIABLE)
    assert not pre_due.applies_to(Segment.BUSINESS)
    assert all(s.applies_to(seg) for s in DEFAULT_LADDER.stages[1:] for seg in Segment)


# --- a tenant's ladder as data ------------------------------------------------------------------


def test_a_tenant_ladder_round_trips_through_its_list_form() -> None:
    # GIVEN a tenant's own ladder with every optional attribute set
    ladder = Ladder(
        (
            Stage("nudge", -2, (Channel.EMAIL,), Tone.FRIENDLY, segments=frozenset({Segment.NEW, Segment.RELIABLE})),
            Stage("text", 5, (Channel.SMS, Channel.PUSH), Tone.NEUTRAL, fee=100),
            Stage("letter", 20, (Channel.LETTER,), Tone.FIRM, fee=250, charges_interest=True),
            Stage("agency", 40, (Channel.AGENCY,), Tone.FIRM),
        )
    )
    # WHEN
    rows = ladder.to_list()
    # THEN
    assert Ladder.from_list(rows) == ladder
    assert rows[0]["segments"] == ["new", "reliable"]
    assert rows[1]["channels"] == ["sms", "push"]
    assert rows[3]["segments"] is None


def test_the_default_ladder_round_trips_through_its_list_form() -> None:
    assert Ladder.from_list(DEFAULT_LADDER.to_list()) == DEFAULT_LADDER


def test_a_stage_row_without_tone_or_fee_gets_friendly_and_no_fee() -> None:
    ladder = Ladder.from_list([{"name": "reminder", "offset_days": 3, "channels": ["email"]}])
    assert ladder.stages[0].tone == Tone.FRIENDLY
    assert ladder.stages[0].fee == 0
    assert ladder.stages[0].segments is None


INVALID_LADDERS = {
    "empty": [],
    "unordered": [stage_row("sms", 10), stage_row("reminder", 3)],
    "duplicate names": [stage_row("reminder", 3), stage_row("reminder", 10)],
    "agency not last": [stage_row("agency", 3, channels=["agency"]), stage_row("sms", 10, channels=["sms"])],
    "no channels": [stage_row("reminder", 3, channels=[])],
    "negative fee": [stage_row("reminder", 3), stage_row("final", 24, fee=-250)],
    "unknown channel": [stage_row("fax", 3, channels=["fax"])],
    "unknown tone": [stage_row("reminder", 3, tone="rude")],
    "missing offset": [{"name": "reminder", "channels": ["email"]}],
    "offset not a number": [{**stage_row("reminder", 3), "offset_days": "soon"}],
}


@pytest.mark.parametrize("rows", INVALID_LADDERS.values(), ids=INVALID_LADDERS.keys())
def test_an_invalid_tenant_ladder_is_rejected_naming_the_ladder_field(rows: list[dict[str, Any]]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Ladder.from_list(rows)
    assert caught.value.field == "ladder"


def test_an_unordered_ladder_built_in_code_is_rejected_too() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Ladder((Stage("sms", 10, (Channel.SMS,)), Stage("reminder", 3, (Channel.EMAIL,))))
    assert caught.value.field == "ladder"
    assert "ordered" in caught.value.message


def test_stages_on_the_same_day_are_allowed() -> None:
    ladder = Ladder((Stage("email", 3, (Channel.EMAIL,)), Stage("push", 3, (Channel.PUSH,))))
    assert names(ladder.stages) == ["email", "push"]


# --- segmentation -------------------------------------------------------------------------------


def test_a_business_debtor_is_business_even_when_a_long_standing_customer() -> None:
    assert segment_of(debtor(DebtorKind.BUSINESS, customer_since=date(2015, 1, 1)), TODAY) == Segment.BUSINESS


def test_a_consumer_who_has_been_a_customer_for_a_year_is_reliable() -> None:
    assert segment_of(debtor(customer_since=TODAY - timedelta(days=365)), TODAY) == Segment.RELIABLE
    assert segment_of(debtor(customer_since=date(2019, 5, 1)), TODAY) == Segment.RELIABLE


def test_a_consumer_who_has_been_a_customer_for_less_than_a_year_is_new() -> None:
    assert segment_of(debtor(customer_since=TODAY - timedelta(days=364)), TODAY) == Segment.NEW


def test_a_consumer_without_a_known_history_is_new() -> None:
    assert segment_of(debtor(customer_since=None), TODAY) == Segment.NEW


# --- applicable stages --------------------------------------------------------------------------


def test_a_new_customer_whose_claim_arrives_in_time_gets_the_pre_due_reminder() -> None:
    created = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    stages = applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created)
    assert names(stages) == names(DEFAULT_LADDER.stages)


@pytest.mark.parametrize("segment", [Segment.RELIABLE, Segment.BUSINESS])
def test_reliable_and_business_debtors_get_no_pre_due_reminder(segment: Segment) -> None:
    created = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    stages = applicable_stages(DEFAULT_LADDER, segment, DUE, created)
    assert names(stages) == ["reminder", "sms", "call", "final_notice", "agency"]


def test_a_claim_that_arrives_after_the_pre_due_date_drops_the_pre_due_reminder() -> None:
    # GIVEN the pre-due reminder would be due on 30 Oct (3 days before the 2 Nov due date)
    created = datetime(2026, 10, 31, 9, 0, tzinfo=UTC)
    # WHEN
    stages = applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created)
    # THEN
    assert names(stages) == ["reminder", "sms", "call", "final_notice", "agency"]


def test_a_claim_that_arrives_at_the_very_start_of_the_pre_due_day_keeps_the_pre_due_reminder() -> None:
    created = start_of(DUE) - timedelta(days=3)
    assert names(applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created))[0] == "pre_due_reminder"


def test_stages_after_the_due_date_are_kept_even_for_a_very_late_claim() -> None:
    created = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    stages = applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created)
    assert names(stages) == ["reminder", "sms", "call", "final_notice", "agency"]


# --- the schedule anchor ------------------------------------------------------------------------


def test_a_timely_claim_counts_its_stages_from_the_start_of_the_due_date() -> None:
    # GIVEN
    created = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
    stages = applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created)
    # WHEN
    anchor = anchor_for(DUE, stages[0], created)
    # THEN
    assert anchor == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    schedule = Schedule(anchor, stages)
    assert schedule.due_at(stages[0]) == datetime(2026, 10, 30, tzinfo=UTC)
    assert schedule.due_at(stages[1]) == datetime(2026, 11, 5, tzinfo=UTC)


def test_a_claim_handed_over_long_after_its_due_date_starts_with_the_first_stage_now() -> None:
    # GIVEN a claim due on 2 Nov that reaches Mahnwerk on 1 Feb, 91 days later
    created = datetime(2027, 2, 1, 14, 30, tzinfo=UTC)
    stages = applicable_stages(DEFAULT_LADDER, Segment.RELIABLE, DUE, created)
    # WHEN
    schedule = Schedule(anchor_for(DUE, stages[0], created), stages)
    # THEN the first reminder is due at creation, not 88 days ago
    assert schedule.due_at(stages[0]) == created
    assert schedule.anchor == created - timedelta(days=3)


def test_a_late_claim_keeps_the_ladder_spacing_instead_of_a_burst_of_catch_up_messages() -> None:
    # GIVEN a claim whose every stage (up to the agency, due + 31 days) lies in the past
    created = start_of(DUE) + timedelta(days=60, hours=10)
    stages = applicable_stages(DEFAULT_LADDER, Segment.NEW, DUE, created)
    # WHEN
    schedule = Schedule(anchor_for(DUE, stages[0], created), stages)
    due_times = [schedule.due_at(s) for s in stages]
    # THEN no stage is due before creation, and the gaps are the ladder's gaps
    assert min(due_times) == created
    gaps = [(b - a).days for a, b in zip(due_times, due_times[1:], strict=False)]
    ladder_gaps = [b.offset_days - a.offset_days for a, b in zip(stages, stages[1:], strict=False)]
    assert gaps == ladder_gaps == [7, 7, 7, 7]


def test_a_claim_that_arrives_on_the_day_of_its_first_stage_keeps_the_due_date_as_anchor() -> None:
    # GIVEN the first stage (reminder, due + 3) is due at 00:00 on 5 Nov and the claim arrives exactly then
    created = start_of(DUE) + timedelta(days=3)
    stages = applicable_stages(DEFAULT_LADDER, Segment.RELIABLE, DUE, created)
    # THEN
    assert anchor_for(DUE, stages[0], created) == start_of(DUE)


# --- spacing after a late stage -----------------------------------------------------------------

ANCHOR = start_of(DUE)
SMS = 2  # index of the SMS stage in the default ladder (reminder + 3, SMS + 10)


def test_the_next_stage_is_due_on_its_ladder_date_when_the_previous_ran_on_time() -> None:
    reminder_done = ANCHOR + timedelta(days=3)
    assert stage_due_at(DEFAULT_LADDER.stages, SMS, ANCHOR, reminder_done) == ANCHOR + timedelta(days=10)


def test_a_stage_that_ran_late_pushes_the_next_by_as_much() -> None:
    # GIVEN the reminder (due + 3) only went out on due + 5, at 09:00
    reminder_done = ANCHOR + timedelta(days=5, hours=9)
    # THEN the SMS keeps the ladder's 7 days of spacing after it
    assert stage_due_at(DEFAULT_LADDER.stages, SMS, ANCHOR, reminder_done) == reminder_done + timedelta(days=7)


def test_the_first_stage_is_due_on_its_ladder_date_whatever_ran_before() -> None:
    late = ANCHOR + timedelta(days=30)
    assert stage_due_at(DEFAULT_LADDER.stages, 0, ANCHOR, late) == ANCHOR - timedelta(days=3)
    assert stage_due_at(DEFAULT_LADDER.stages, SMS, ANCHOR, None) == ANCHOR + timedelta(days=10)
