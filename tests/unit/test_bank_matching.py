"""Matching bank credits to claims: references however typed, splits, over- and partial payments, names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from chalicelib.domain.bank_matching import (
    allocate,
    find_references,
    match_by_name_amount,
    match_entry,
    normalise_name,
)
from chalicelib.domain.bank_statements import Allocation, Credit, build_statement
from chalicelib.domain.claim import Claim, Status
from chalicelib.domain.debtor import Debtor, DebtorKind
from chalicelib.domain.ladder import DEFAULT_LADDER
from chalicelib.domain.ledger import Ledger
from chalicelib.domain.payment_reference import new_reference, pretty
from chalicelib.domain.segmentation import Segment

pytestmark = pytest.mark.unit


def claim(claim_id: str, balance: int, name: str = "Erika Mustermann", **overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "claim_id": claim_id,
        "tenant_id": "tenant-a",
        "external_id": f"INV-{claim_id}",
        "debtor": Debtor(name, "debtor@example.com", "+4915112345678", "de", DebtorKind.CONSUMER, "DE"),
        "ledger": Ledger("EUR", principal=balance),
        "due_date": date(2026, 2, 1),
        "segment": Segment.NEW,
        "stages": DEFAULT_LADDER.stages,
        "schedule_anchor": datetime(2026, 2, 1, tzinfo=UTC),
        "payment_reference": new_reference(),
        "created_at": datetime(2026, 1, 20, tzinfo=UTC),
        "status": Status.DUNNING,
    }
    fields.update(overrides)
    return Claim(**fields)


def entry(amount: int, remittance: str = "", name: str | None = None, currency: str = "EUR") -> Any:
    credit = Credit("DE89370400440532013000", amount, currency, date(2026, 3, 3), remittance, debtor_name=name)
    return build_statement("S1", credit.account, "camt.053.001.02", [credit]).entries[0]


# References


def test_a_reference_typed_in_lower_case_with_spaces_inside_longer_text_is_found() -> None:
    reference = new_reference()
    text = f"Rechnung {pretty(reference).lower()}, danke"
    assert find_references(text) == [reference]


def test_a_reference_broken_across_remittance_lines_is_found() -> None:
    reference = new_reference()
    assert find_references(f"Rg {reference[:9]}\n{reference[9:]} vom 02.03.") == [reference]


def test_a_reference_with_a_letter_o_for_a_zero_is_still_found() -> None:
    reference = "RF08APYMDX5JGS"  # a valid reference whose check digits hold a zero
    assert find_references("RFO8 APYM DX5J GS") == [reference]


def test_a_reference_with_a_wrong_check_digit_is_no_match() -> None:
    reference = new_reference()
    wrong = reference[:2] + f"{(int(reference[2:4]) + 1) % 100:02d}" + reference[4:]
    assert find_references(f"Rechnung {wrong}") == []


def test_several_references_in_one_text_are_found_once_each_in_order() -> None:
    first, second = new_reference(), new_reference()
    assert find_references(f"{first} und {pretty(second)} / {first}") == [first, second]


def test_text_without_a_reference_yields_none() -> None:
    assert find_references("Referenz Kd-Nr. 10042, Bestellung vom 14.02.2026 RF") == []


# Allocation


def test_a_credit_for_two_claims_pays_the_oldest_first_each_up_to_its_balance() -> None:
    older = claim("A", 3000, due_date=date(2026, 1, 1))
    newer = claim("B", 5000, due_date=date(2026, 2, 1))
    assert allocate(8000, [newer, older]) == (Allocation("A", 3000), Allocation("B", 5000))


def test_an_over_payment_goes_to_the_last_claim_and_is_never_lost() -> None:
    older = claim("A", 3000, due_date=date(2026, 1, 1))
    newer = claim("B", 5000, due_date=date(2026, 2, 1))
    allocations = allocate(9000, [older, newer])
    assert allocations == (Allocation("A", 3000), Allocation("B", 6000))
    assert sum(a.amount for a in allocations) == 9000


def test_a_credit_below_the_balance_is_a_partial_payment_of_the_oldest_claim() -> None:
    older = claim("A", 3000, due_date=date(2026, 1, 1))
    newer = claim("B", 5000, due_date=date(2026, 2, 1))
    assert allocate(2000, [older, newer]) == (Allocation("A", 2000),)


def test_money_for_a_claim_paid_already_is_kept_on_it_as_over_payment() -> None:
    paid = claim("A", 3000, ledger=Ledger("EUR", principal=3000, paid=3000), status=Status.PAID)
    assert allocate(3000, [paid]) == (Allocation("A", 3000),)


def test_a_referenced_claim_is_matched_with_full_confidence() -> None:
    target = claim("A", 12345)
    match = match_entry(entry(12345, f"Rechnung {target.payment_reference}"), [target], list)
    assert match is not None
    assert match.method == "reference"
    assert match.confidence == 1.0
    assert match.allocations == (Allocation("A", 12345),)


def test_a_referenced_claim_in_another_currency_goes_to_review_not_to_name_matching() -> None:
    target = claim("A", 12345)
    also_fits = claim("B", 12345, ledger=Ledger("CHF", principal=12345))
    match = match_entry(entry(12345, name="Erika Mustermann", currency="CHF"), [target], lambda: [also_fits])
    assert match is None


# Names and amounts


@pytest.mark.parametrize(
    ("paid_as", "debtor"),
    [
        ("MUELLER, HANS", "Hans Müller"),
        ("Hans Muller", "Hans Müller"),
        ("Jürgen Weiss", "JUERGEN WEISS"),
        ("Mustermann Erika", "Erika Mustermann"),
        ("Gartenbau Schmidt", "Gartenbau Schmidt GmbH"),
        ("GARTENBAU SCHMIDT G.M.B.H.", "Gartenbau Schmidt GmbH"),
        ("Beispiel UG (haftungsbeschränkt)", "Beispiel UG"),
        ("Other Store Ltd.", "Other Store Limited"),
        ("Herrn Dr. Max Beispiel", "Max Beispiel"),
    ],
)
def test_names_match_across_umlauts_word_order_and_legal_forms(paid_as: str, debtor: str) -> None:
    match = match_by_name_amount(entry(4990, "Bestellung 10042", name=paid_as), [claim("A", 4990, name=debtor)])
    assert match is not None
    assert match.method == "name_amount"
    assert match.allocations == (Allocation("A", 4990),)
    assert match.confidence >= 0.88


def test_legal_forms_and_salutations_are_dropped_from_names() -> None:
    assert normalise_name("Müller & Söhne GmbH & Co. KG") == "mueller soehne"
    assert normalise_name("Frau Renée Weiß") == "renee weiss"


def test_a_different_name_with_the_same_amount_is_no_match() -> None:
    assert match_by_name_amount(entry(4990, name="Max Beispiel"), [claim("A", 4990, name="Erika Mustermann")]) is None


def test_the_right_name_with_another_amount_is_no_match() -> None:
    assert match_by_name_amount(entry(5000, name="Erika Mustermann"), [claim("A", 4990)]) is None


def test_one_credit_for_all_open_claims_of_a_debtor_pays_each_of_them() -> None:
    first = claim("A", 3000, due_date=date(2026, 1, 1))
    second = claim("B", 4500, due_date=date(2026, 2, 1))
    someone_else = claim("C", 7500, name="Max Beispiel")
    match = match_by_name_amount(entry(7500, name="ERIKA MUSTERMANN"), [first, second, someone_else])
    assert match is not None
    assert match.allocations == (Allocation("A", 3000), Allocation("B", 4500))


def test_two_claims_of_the_same_amount_for_the_debtor_are_ambiguous() -> None:
    claims = [claim("A", 4990, due_date=date(2026, 1, 1)), claim("B", 4990), claim("C", 1000)]
    assert match_by_name_amount(entry(4990, name="Erika Mustermann"), claims) is None


def test_two_similar_debtors_owing_the_same_amount_are_ambiguous() -> None:
    claims = [claim("A", 4990, name="Erika Mustermann"), claim("B", 4990, name="Erik Mustermann")]
    assert match_by_name_amount(entry(4990, name="Erika Mustermann"), claims) is None


def test_a_credit_without_a_name_is_never_matched_by_amount_alone() -> None:
    assert match_by_name_amount(entry(4990), [claim("A", 4990)]) is None


def test_claims_in_another_currency_or_settled_are_no_candidates() -> None:
    chf = claim("A", 4990, ledger=Ledger("CHF", principal=4990))
    settled = claim("B", 4990, ledger=Ledger("EUR", principal=4990, paid=4990), status=Status.PAID)
    assert match_by_name_amount(entry(4990, name="Erika Mustermann"), [chf, settled]) is None


def test_name_matching_reads_the_open_claims_only_when_no_reference_names_a_claim() -> None:
    reads: list[int] = []

    def open_claims() -> list[Claim]:
        reads.append(1)
        return [claim("A", 4990)]

    target = claim("B", 4990)
    match_entry(entry(4990, target.payment_reference, name="Erika Mustermann"), [target], open_claims)
    assert reads == []
    assert match_entry(entry(4990, name="Erika Mustermann"), [], open_claims) is not None
    assert reads == [1]
