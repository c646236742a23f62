"""Statutory default interest (§ 288 BGB) and the fees a charging stage adds to a claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.charges import B2B_FLAT_FEE_EUR, Charge, charges_for, default_begins
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.decisions import plan_next_step
from chalicelib.domain.interest import InterestPeriod, RatePeriod, base_rates, default_interest
from chalicelib.domain.ladder import DEFAULT_LADDER, Channel, Ladder, Stage, Tone
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment

pytestmark = pytest.mark.unit

EUR_1000 = 100000  # minor units


def rows(periods: list[InterestPeriod]) -> list[tuple[date, date, Decimal | None, int]]:
    return [(p.start, p.end, p.percent, p.amount) for p in periods]


# --- § 288 BGB interest -------------------------------------------------------------------------


def test_consumer_interest_is_the_base_rate_plus_five_points() -> None:
    # GIVEN Feb 2026: base rate 1.27 %, so 6.27 % a year; 1000.00 for 28 days = 4.8099 → 4.81
    periods = default_interest(EUR_1000, date(2026, 2, 1), date(2026, 2, 28), business=False)
    assert rows(periods) == [(date(2026, 2, 1), date(2026, 2, 28), Decimal("6.27"), 481)]
    assert periods[0].days == 28


def test_business_interest_is_the_base_rate_plus_nine_points() -> None:
    # 10.27 % a year; 1000.00 for 28 days = 7.8784 → 7.88
    periods = default_interest(EUR_1000, date(2026, 2, 1), date(2026, 2, 28), business=True)
    assert rows(periods) == [(date(2026, 2, 1), date(2026, 2, 28), Decimal("10.27"), 788)]


def test_interest_is_split_at_the_first_of_january() -> None:
    # 17 days of Dec 2025 and 14 days of Jan 2026, each at 6.27 %, rounded per period
    periods = default_interest(EUR_1000, date(2025, 12, 15), date(2026, 1, 14), business=False)
    assert rows(periods) == [
        (date(2025, 12, 15), date(2025, 12, 31), Decimal("6.27"), 292),
        (date(2026, 1, 1), date(2026, 1, 14), Decimal("6.27"), 240),
    ]
    assert [p.days for p in periods] == [17, 14]


def test_interest_is_split_at_the_first_of_july_with_the_new_base_rate() -> None:
    # base rate 2.27 % until 30 Jun 2025, then 1.27 %
    periods = default_interest(EUR_1000, date(2025, 6, 20), date(2025, 7, 10), business=False)
    assert rows(periods) == [
        (date(2025, 6, 20), date(2025, 6, 30), Decimal("7.27"), 219),
        (date(2025, 7, 1), date(2025, 7, 10), Decimal("6.27"), 172),
    ]


def test_a_negative_base_rate_lowers_the_rate() -> None:
    # 2022: base rate -0.88 %, consumer 4.12 %; 1000.00 for 30 days = 3.3863 → 3.39
    periods = default_interest(EUR_1000, date(2022, 6, 1), date(2022, 6, 30), business=False)
    assert rows(periods) == [(date(2022, 6, 1), date(2022, 6, 30), Decimal("4.12"), 339)]


def test_the_day_count_is_actual_days_over_365_even_in_a_leap_year() -> None:
    # 2024-02-01 .. 2024-02-29 is 29 days; 1000.00 at 8.62 % (3.62 + 5) → 1000 * 0.0862 * 29 / 365 = 6.8488
    periods = default_interest(EUR_1000, date(2024, 2, 1), date(2024, 2, 29), business=False)
    assert rows(periods) == [(date(2024, 2, 1), date(2024, 2, 29), Decimal("8.62"), 685)]


def test_interest_for_a_single_day_counts_that_day() -> None:
    periods = default_interest(36500000, date(2026, 3, 1), date(2026, 3, 1), business=False)
    assert [(p.days, p.amount) for p in periods] == [(1, 6270)]  # 365,000.00 * 6.27 % / 365


def test_interest_rounds_half_up_to_minor_units() -> None:
    # GIVEN a rate of 3.65 %, so principal * days / 10 000 exactly
    rates = (RatePeriod(date(2020, 1, 1), Decimal("-1.35")),)
    # 2.5 → 3 and 0.5 → 1 (banker's rounding would give 2 and 0); 2.49 → 2
    assert default_interest(25000, date(2026, 1, 1), date(2026, 1, 1), False, rates)[0].amount == 3
    assert default_interest(5000, date(2026, 1, 1), date(2026, 1, 1), False, rates)[0].amount == 1
    assert default_interest(24900, date(2026, 1, 1), date(2026, 1, 1), False, rates)[0].amount == 2


def test_a_period_with_an_unknown_base_rate_charges_nothing_but_is_listed() -> None:
    # GIVEN the base rate from 1 Jul 2026 has not been entered yet
    periods = default_interest(EUR_1000, date(2026, 6, 15), date(2026, 7, 10), business=False)
    # THEN June is charged and July is shown as not charged
    assert rows(periods) == [
        (date(2026, 6, 15), date(2026, 6, 30), Decimal("6.27"), 275),
        (date(2026, 7, 1), date(2026, 7, 10), None, 0),
    ]


def test_the_base_rates_are_the_verified_rates_of_law_md() -> None:
    rates = {r.valid_from: r.base_percent for r in base_rates()}
    assert rates[date(2016, 7, 1)] == Decimal("-0.88")
    assert rates[date(2023, 1, 1)] == Decimal("1.62")
    assert rates[date(2023, 7, 1)] == Decimal("3.12")
    assert rates[date(2024, 1, 1)] == Decimal("3.62")
    assert rates[date(2025, 1, 1)] == Decimal("2.27")
    assert rates[date(2025, 7, 1)] == Decimal("1.27")
    assert rates[date(2026, 1, 1)] == Decimal("1.27")
    assert rates[date(2026, 7, 1)] is None
    assert [r.valid_from for r in base_rates()] == sorted(rates)
    assert all(r.valid_from.day == 1 and r.valid_from.month in (1, 7) for r in base_rates())


# --- charges of a stage -------------------------------------------------------------------------

STAGES = {s.name: s for s in DEFAULT_LADDER.stages}
FINAL_NOTICE = STAGES["final_notice"]


def make_claim(kind: DebtorKind = DebtorKind.CONSUMER, **overrides: Any) -> Claim:
    """Due Mon 2 Mar 2026: reminder on 5 Mar puts the debtor in default from 6 Mar; final notice on 26 Mar."""
    business = kind == DebtorKind.BUSINESS
    fields: dict[str, Any] = {
        "claim_id": "01JCLAIM000000000000000000",
        "tenant_id": "tenant-a",
        "external_id": "INV-1",
        "debtor": Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", kind, "DE"),
        "ledger": Ledger("EUR", principal=EUR_1000),
        "due_date": date(2026, 3, 2),
        "segment": Segment.BUSINESS if business else Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": datetime(2026, 3, 2, tzinfo=UTC),
        "payment_reference": "RF31DYZB89MNPF",
        "created_at": datetime(2026, 2, 10, 9, 30, tzinfo=UTC),
        "status": Status.DUNNING,
    }
    fields.update(overrides)
    return Claim(**fields)


def test_default_begins_the_day_after_the_first_reminder_after_the_due_date() -> None:
    assert default_begins(make_claim()) == date(2026, 3, 6)


def test_a_consumer_final_notice_adds_the_stage_fee_and_interest_since_default() -> None:
    # WHEN
    charges = charges_for(make_claim(), FINAL_NOTICE)
    # THEN 2.50 reminder fee, and 6.27 % on 1000.00 from 6 to 26 Mar (21 days) = 3.6074 → 3.61
    assert charges.fees == (Charge("reminder_fee", 250),)
    assert rows(list(charges.interest)) == [(date(2026, 3, 6), date(2026, 3, 26), Decimal("6.27"), 361)]
    assert (charges.fee_total, charges.interest_total) == (250, 361)


def test_a_business_gets_the_40_euro_flat_fee_instead_of_the_reminder_fee() -> None:
    charges = charges_for(make_claim(DebtorKind.BUSINESS), FINAL_NOTICE)
    assert charges.fees == (Charge("b2b_flat_fee", B2B_FLAT_FEE_EUR),)
    assert B2B_FLAT_FEE_EUR == 4000
    # 10.27 % on 1000.00 for 21 days = 5.9088 → 5.91
    assert charges.interest_total == 591


@pytest.mark.parametrize("kind", [DebtorKind.CONSUMER, DebtorKind.BUSINESS])
def test_a_claim_in_another_currency_gets_no_fee(kind: DebtorKind) -> None:
    claim = make_claim(kind, ledger=Ledger("USD", principal=EUR_1000))
    assert charges_for(claim, FINAL_NOTICE).fees == ()


@pytest.mark.parametrize("stage", ["pre_due_reminder", "reminder", "sms", "call", "agency"])
def test_a_stage_without_fee_or_interest_charges_nothing(stage: str) -> None:
    charges = charges_for(make_claim(), STAGES[stage])
    assert charges.fees == ()
    assert charges.interest == ()


def test_interest_is_booked_once_per_claim() -> None:
    # GIVEN interest was booked at an earlier charging stage
    claim = make_claim(ledger=Ledger("EUR", EUR_1000, interest=361))
    # WHEN another charging stage comes
    charges = charges_for(claim, FINAL_NOTICE)
    # THEN it adds its own fee but no second interest
    assert charges.interest == ()
    assert charges.fee_total == FINAL_NOTICE.fee


def test_the_business_flat_fee_is_booked_once_per_claim() -> None:
    claim = make_claim(
        debtor=replace(make_claim().debtor, kind=DebtorKind.BUSINESS), ledger=Ledger("EUR", EUR_1000, fees=4000)
    )
    assert charges_for(claim, FINAL_NOTICE).fees == ()


def test_a_stage_with_a_fee_but_no_interest_charges_only_the_fee() -> None:
    stage = Stage("second_reminder", 10, (Channel.EMAIL,), Tone.NEUTRAL, fee=150)
    charges = charges_for(make_claim(), stage)
    assert charges.fees == (Charge("reminder_fee", 150),)
    assert charges.interest == ()


def test_interest_is_computed_up_to_the_stages_scheduled_date_not_today() -> None:
    # GIVEN a late claim whose anchor was moved: the final notice is scheduled on 26 Apr
    claim = make_claim(schedule_anchor=datetime(2026, 4, 2, 11, 0, tzinfo=UTC))
    # THEN the reminder due on Easter Sunday 5 Apr goes out on Tue 7 Apr (after Easter Monday),
    # so interest runs from 8 Apr to the final notice's date, 26 Apr
    periods = charges_for(claim, FINAL_NOTICE).interest
    assert [(p.start, p.end) for p in periods] == [(date(2026, 4, 8), date(2026, 4, 26))]


def test_a_fee_on_an_earlier_stage_does_not_cancel_the_interest_of_the_final_notice() -> None:
    # GIVEN a tenant ladder with a 1.00 fee on the SMS and interest on the final notice
    ladder = Ladder(
        (
            Stage("reminder", 3, (Channel.EMAIL,)),
            Stage("sms", 10, (Channel.SMS,), Tone.NEUTRAL, fee=100),
            Stage("final_notice", 24, (Channel.LETTER,), Tone.FIRM, fee=250, charges_interest=True),
        )
    )
    claim = make_claim(stages=ladder.stages)
    after_sms = replace(claim, ledger=claim.ledger.with_charges(fees=charges_for(claim, ladder.stages[1]).fee_total))
    assert after_sms.ledger.fees == 100
    # WHEN the final notice comes
    charges = charges_for(after_sms, ladder.stages[2])
    # THEN its interest is still charged
    assert charges.interest_total > 0


def test_default_never_begins_before_the_day_after_the_reminder_is_actually_sent() -> None:
    # GIVEN due Thu 5 Nov 2026: the reminder (due + 3) falls on Sunday 8 Nov
    claim = make_claim(
        due_date=date(2026, 11, 5), schedule_anchor=datetime(2026, 11, 5, tzinfo=UTC), next_stage_index=1
    )
    reminder_sent = plan_next_step(claim, datetime(2026, 11, 1, tzinfo=UTC)).send_at
    assert reminder_sent is not None
    assert reminder_sent.date() == date(2026, 11, 9), "the contact policy moves it to Monday"
    # THEN default begins the day after that at the earliest
    assert default_begins(claim) > reminder_sent.date()
