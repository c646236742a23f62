"""What a debtor may agree to on the pay page: the tenant's rules, promises, pauses and disputes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.domain.agreements import DEFAULT_RULES, AgreementRules
from chalicelib.domain.disputes import DisputeOutcome, DisputeReason, validate_adjustment, validate_dispute
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.promises import promise_deadline, promise_missed, validate_pause, validate_promise

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


# --- the tenant's rules ---------------------------------------------------------------------------


def test_default_rules_are_the_ones_the_issue_names() -> None:
    assert DEFAULT_RULES.promise_max_days == 14
    assert DEFAULT_RULES.max_instalments == 6
    assert DEFAULT_RULES.min_instalment == 2000
    assert DEFAULT_RULES.first_instalment_within_days == 7
    assert DEFAULT_RULES.late_instalments_tolerated == 1
    assert DEFAULT_RULES.pause_max_days == 30
    assert DEFAULT_RULES.pauses_per_claim == 1


def test_rules_survive_a_round_trip_through_the_tenant_record() -> None:
    rules = AgreementRules(promise_max_days=10, max_instalments=12, min_instalment=5000)
    assert AgreementRules.from_dict(rules.to_dict()) == rules


def test_a_tenant_that_overrides_one_rule_keeps_the_defaults_for_the_rest() -> None:
    assert AgreementRules.from_dict({"pause_max_days": 60}) == AgreementRules(pause_max_days=60)
    assert AgreementRules.from_dict({}) == DEFAULT_RULES
    assert AgreementRules.from_dict(None) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"promise_max_days": 0}, "promise_max_days"),
        ({"max_instalments": 1}, "max_instalments"),
        ({"min_instalment": -5}, "min_instalment"),
        ({"instalment_grace_days": 0}, "instalment_grace_days"),
        ({"pause_max_days": 10_000}, "pause_max_days"),
        ({"promise_max_days": "14"}, "promise_max_days"),
        ({"promise_max_days": 14.0}, "promise_max_days"),
        ({"pauses_per_claim": True}, "pauses_per_claim"),
        ({"promise_days": 14}, "promise_days"),
    ],
)
def test_invalid_rules_are_refused_naming_the_rule(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        AgreementRules.from_dict(overrides)
    assert error.value.field == "agreement_rules"
    assert named in error.value.message


# --- promises ------------------------------------------------------------------------------------


def test_a_promise_up_to_the_tenants_limit_is_accepted() -> None:
    assert validate_promise(days(1), TODAY, DEFAULT_RULES) == days(1)
    assert validate_promise(days(14), TODAY, DEFAULT_RULES) == days(14)


@pytest.mark.parametrize("offset", [15, 0, -1])
def test_a_promise_beyond_the_limit_or_for_today_or_the_past_is_refused_with_the_allowed_range(offset: int) -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_promise(days(offset), TODAY, DEFAULT_RULES)
    assert error.value.field == "date"
    assert "2026-03-03" in error.value.message
    assert "2026-03-16" in error.value.message


def test_a_tenant_with_a_shorter_limit_refuses_what_the_default_would_accept() -> None:
    with pytest.raises(InvalidInputError):
        validate_promise(days(8), TODAY, AgreementRules(promise_max_days=7))


def test_the_workflow_checks_a_promise_after_the_grace_days() -> None:
    assert promise_deadline(days(10), DEFAULT_RULES) == days(13)
    assert not promise_missed(days(10), days(12), DEFAULT_RULES)
    assert promise_missed(days(10), days(13), DEFAULT_RULES)


# --- pauses --------------------------------------------------------------------------------------


def test_a_pause_lasts_the_days_asked_for() -> None:
    assert validate_pause("lost my job", 10, 0, TODAY, DEFAULT_RULES) == days(10)


def test_a_pause_without_a_length_gets_the_tenants_maximum() -> None:
    assert validate_pause("lost my job", None, 0, TODAY, DEFAULT_RULES) == days(30)


@pytest.mark.parametrize("asked", [0, -3, 31])
def test_a_pause_outside_one_to_the_maximum_days_is_refused(asked: int) -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_pause("lost my job", asked, 0, TODAY, DEFAULT_RULES)
    assert error.value.field == "days"
    assert "1 to 30" in error.value.message


def test_a_second_pause_is_refused_once_per_claim() -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_pause("still no job", 5, 1, TODAY, DEFAULT_RULES)
    assert error.value.field == "pause"
    assert "once per claim" in error.value.message


def test_a_tenant_may_grant_more_pauses_or_none() -> None:
    assert validate_pause("still no job", 5, 1, TODAY, AgreementRules(pauses_per_claim=2)) == days(5)
    with pytest.raises(InvalidInputError, match="pause"):
        validate_pause("lost my job", 5, 0, TODAY, AgreementRules(pauses_per_claim=0))


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_pause_needs_a_reason(reason: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_pause(reason, 5, 0, TODAY, DEFAULT_RULES)
    assert error.value.field == "reason"


# --- disputes ------------------------------------------------------------------------------------


def test_a_dispute_with_a_known_reason_and_a_message_is_accepted_trimmed() -> None:
    reason, message = validate_dispute("returned", "  Sent back on 1 March.  ")
    assert (reason, message) == (DisputeReason.RETURNED, "Sent back on 1 March.")


@pytest.mark.parametrize("reason", ["not_received", "returned", "wrong_amount", "already_paid", "other"])
def test_every_reason_of_the_pay_page_is_known(reason: str) -> None:
    assert validate_dispute(reason, "It arrived broken, see photos.")[0] == reason


def test_an_unknown_reason_is_refused_listing_the_choices() -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_dispute("too_expensive", "I do not want to pay")
    assert error.value.field == "reason"
    assert "not_received" in error.value.message


@pytest.mark.parametrize("message", ["", "   ", "x" * 2001])
def test_a_dispute_message_must_have_1_to_2000_characters(message: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_dispute("not_received", message)
    assert error.value.field == "message"


def test_a_dispute_message_of_exactly_2000_characters_is_accepted() -> None:
    assert len(validate_dispute("not_received", "x" * 2000)[1]) == 2000


def test_other_needs_an_explanation_of_at_least_ten_characters() -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_dispute("other", "no")
    assert error.value.field == "message"
    assert validate_dispute("other", "Wrong size.")[0] == DisputeReason.OTHER


def test_an_adjustment_lowers_the_balance_to_the_amount_given() -> None:
    assert validate_adjustment("adjust", 4000, 5000) == 4000
    assert validate_adjustment(DisputeOutcome.ADJUST, 1, 5000) == 1


@pytest.mark.parametrize("amount", [None, 0, -100, 5000, 6000])
def test_an_adjustment_needs_an_amount_above_zero_and_below_the_balance(amount: int | None) -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_adjustment("adjust", amount, 5000)
    assert error.value.field == "amount"


@pytest.mark.parametrize("outcome", ["uphold", "cancel"])
def test_upholding_or_cancelling_carries_no_amount(outcome: str) -> None:
    assert validate_adjustment(outcome, None, 5000) is None
    with pytest.raises(InvalidInputError) as error:
        validate_adjustment(outcome, 4000, 5000)
    assert error.value.field == "amount"


def test_an_unknown_outcome_is_refused_naming_the_outcome() -> None:
    with pytest.raises(InvalidInputError) as error:
        validate_adjustment("forgive", None, 5000)
    assert error.value.field == "outcome"
