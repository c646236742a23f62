"""Where a claim stands: which status changes are legal, when it is closed and when the ladder may contact."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.claim import TRANSITIONS, Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.errors import IllegalTransitionError
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.segmentation import Segment

pytestmark = pytest.mark.unit


def make_claim(**overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "claim_id": "01JCLAIM000000000000000000",
        "tenant_id": "tenant-a",
        "external_id": "INV-1",
        "debtor": Debtor("Erika Mustermann", "erika@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE"),
        "ledger": Ledger("EUR", principal=12345),
        "due_date": date(2026, 11, 2),
        "segment": Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": datetime(2026, 11, 2, tzinfo=UTC),
        "payment_reference": "RF18539007547034",
        "created_at": datetime(2026, 10, 20, 9, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    return Claim(**fields)


LEGAL = [
    (Status.OPEN, Status.DUNNING),
    (Status.OPEN, Status.PAID),
    (Status.OPEN, Status.CANCELLED),
    (Status.OPEN, Status.PROMISED),
    (Status.OPEN, Status.DISPUTED),
    (Status.DUNNING, Status.PAID),
    (Status.DUNNING, Status.PROMISED),
    (Status.DUNNING, Status.INSTALMENTS),
    (Status.DUNNING, Status.DISPUTED),
    (Status.DUNNING, Status.HANDED_OVER),
    (Status.PROMISED, Status.DUNNING),
    (Status.PROMISED, Status.INSTALMENTS),
    (Status.INSTALMENTS, Status.DUNNING),
    (Status.DISPUTED, Status.DUNNING),
    (Status.DISPUTED, Status.CANCELLED),
    (Status.HANDED_OVER, Status.PAID),
    (Status.HANDED_OVER, Status.CANCELLED),
    # a refund or chargeback takes the money back: the claim is due again
    (Status.PAID, Status.DUNNING),
    (Status.PAID, Status.OPEN),
]

ILLEGAL = [
    (Status.PAID, Status.PROMISED),
    (Status.PAID, Status.HANDED_OVER),
    (Status.PAID, Status.PAID),
    (Status.PAID, Status.CANCELLED),
    (Status.CANCELLED, Status.PAID),
    (Status.CANCELLED, Status.DUNNING),
    (Status.OPEN, Status.HANDED_OVER),
    (Status.OPEN, Status.OPEN),
    (Status.DUNNING, Status.OPEN),
    (Status.PROMISED, Status.HANDED_OVER),
    (Status.DISPUTED, Status.HANDED_OVER),
    (Status.DISPUTED, Status.INSTALMENTS),
    (Status.HANDED_OVER, Status.DUNNING),
]


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_a_legal_transition_moves_the_claim_to_the_target_status(current: Status, target: Status) -> None:
    # GIVEN
    claim = make_claim(status=current)
    # WHEN
    moved = claim.transition(target)
    # THEN
    assert moved.status == target
    assert claim.status == current, "claims are values: the original is unchanged"
    assert dataclasses.replace(moved, status=current) == claim, "nothing but the status changes"


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_an_illegal_transition_raises_and_names_both_statuses(current: Status, target: Status) -> None:
    claim = make_claim(status=current)
    with pytest.raises(IllegalTransitionError) as caught:
        claim.transition(target)
    assert str(current) in str(caught.value)
    assert str(target) in str(caught.value)


def test_every_status_has_its_transitions_defined() -> None:
    assert set(TRANSITIONS) == set(Status)


def test_a_cancelled_claim_can_never_change_status_again() -> None:
    claim = make_claim(status=Status.CANCELLED)
    for target in Status:
        with pytest.raises(IllegalTransitionError):
            claim.transition(target)


def test_a_paid_claim_changes_only_when_its_money_goes_back() -> None:
    claim = make_claim(status=Status.PAID)
    for target in set(Status) - {Status.OPEN, Status.DUNNING}:
        with pytest.raises(IllegalTransitionError):
            claim.transition(target)


def test_a_re_opened_claim_resumes_at_its_stage_and_counts_the_re_opening() -> None:
    from dataclasses import replace

    paid = replace(make_claim(status=Status.PAID), next_stage_index=2, closed_at=make_claim().created_at)
    never_reminded = replace(paid, next_stage_index=0)

    assert (paid.reopen().status, paid.reopen().reopened, paid.reopen().closed_at) == (Status.DUNNING, 1, None)
    assert never_reminded.reopen().status == Status.OPEN


@pytest.mark.parametrize("status", [Status.PAID, Status.CANCELLED, Status.HANDED_OVER])
def test_paid_cancelled_and_handed_over_claims_are_closed(status: Status) -> None:
    assert make_claim(status=status).closed


@pytest.mark.parametrize("status", [Status.OPEN, Status.DUNNING, Status.PROMISED, Status.INSTALMENTS, Status.DISPUTED])
def test_open_dunning_and_agreed_claims_are_not_closed(status: Status) -> None:
    assert not make_claim(status=status).closed


@pytest.mark.parametrize("status", [Status.OPEN, Status.DUNNING])
def test_an_open_or_dunning_claim_with_a_balance_is_contactable(status: Status) -> None:
    assert make_claim(status=status, ledger=Ledger("EUR", principal=12345, paid=100)).contactable


@pytest.mark.parametrize("status", [Status.OPEN, Status.DUNNING])
def test_a_claim_with_nothing_left_to_pay_is_not_contactable(status: Status) -> None:
    assert not make_claim(status=status, ledger=Ledger("EUR", principal=12345, paid=12345)).contactable


@pytest.mark.parametrize(
    "status",
    [Status.PROMISED, Status.INSTALMENTS, Status.DISPUTED, Status.PAID, Status.CANCELLED, Status.HANDED_OVER],
)
def test_agreements_disputes_and_closed_claims_are_not_contactable(status: Status) -> None:
    assert not make_claim(status=status).contactable


def test_a_new_claim_starts_open_at_the_first_stage() -> None:
    claim = make_claim()
    assert claim.status == Status.OPEN
    assert claim.stage is None
    assert claim.next_stage_index == 0


def test_executions_are_named_per_claim_run_and_continuation() -> None:
    from chalicelib.adapters.workflow.sfn import execution_name
    from chalicelib.services.ports import REOPENED_RUN

    assert execution_name("C1", 0) == "C1"
    assert execution_name("C1", 2) == "C1-g2"
    assert execution_name("C1", REOPENED_RUN) == "C1-r1"
    assert execution_name("C1", 2 * REOPENED_RUN + 3) == "C1-r2-g3"
