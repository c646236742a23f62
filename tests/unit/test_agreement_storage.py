"""The agreement in force as stored on the claim and shown by the API: one typed shape, read back as written."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter

from chalicelib.api.responses import Agreement as AgreementOut
from chalicelib.domain.agreement import Agreement, Dispute, InstalmentPlan, Pause, Promise, agreement_from_dict
from chalicelib.domain.disputes import DisputeReason
from chalicelib.domain.instalments import Instalment

pytestmark = pytest.mark.unit

PLAN = InstalmentPlan(
    (Instalment(1, date(2026, 4, 8), 5000), Instalment(2, date(2026, 5, 8), 5000)),
    paid_at_start=1200,
    wake_on=date(2026, 4, 5),
    late_so_far=1,
    last_late=1,
    reminded_through=2,
    late_grace_until=date(2026, 4, 14),
)
AGREEMENTS: list[Agreement] = [
    Promise(date(2026, 4, 10), date(2026, 4, 13)),
    PLAN,
    Pause(date(2026, 4, 30), "hospital stay"),
    Dispute(DisputeReason.RETURNED, "I sent the chairs back on 2 March", date(2026, 3, 4)),
]


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=lambda a: str(a.kind))
def test_an_agreement_reads_back_as_it_was_stored(agreement: Agreement) -> None:
    assert agreement_from_dict(agreement.to_dict()) == agreement


@pytest.mark.parametrize("agreement", AGREEMENTS, ids=lambda a: str(a.kind))
def test_the_stored_form_is_the_one_the_api_documents(agreement: Agreement) -> None:
    shown = TypeAdapter(AgreementOut).validate_python(agreement.to_dict())

    assert shown.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        k: v for k, v in agreement.to_dict().items() if v is not None
    }


def test_a_plan_stored_before_the_review_counted_anything_still_reads() -> None:
    # as self_service wrote a new plan before the agreement was typed: no late_grace_until yet
    stored = {
        "kind": "instalments",
        "schedule": [{"number": 1, "due": "2026-04-08", "amount": 5000}],
        "paid_at_start": 0,
        "wake_on": "2026-04-05",
        "late_so_far": 0,
        "last_late": 0,
        "reminded_through": 0,
    }

    plan = agreement_from_dict(stored)

    assert plan == InstalmentPlan((Instalment(1, date(2026, 4, 8), 5000),), 0, date(2026, 4, 5))


def test_no_agreement_is_stored_as_an_empty_object_and_an_unknown_kind_is_refused() -> None:
    assert agreement_from_dict({}) is None
    with pytest.raises(ValueError, match="'holiday'"):
        agreement_from_dict({"kind": "holiday"})


def test_a_repeated_submission_has_the_same_terms_whatever_the_workflow_counted_since() -> None:
    fresh = InstalmentPlan(PLAN.schedule, paid_at_start=0, wake_on=None)

    assert fresh.same_terms(PLAN)
    assert not Promise(date(2026, 4, 10), date(2026, 4, 13)).same_terms(Promise(date(2026, 4, 11), date(2026, 4, 14)))
    assert not Pause(date(2026, 4, 30), "ill").same_terms(PLAN)
