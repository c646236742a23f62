"""Payment references a debtor types into a banking app, and the pay-page tokens in every message."""

from __future__ import annotations

import base64

import pytest
from stdnum import iso11649

from chalicelib.domain.payment_reference import is_valid, new_reference, pretty
from chalicelib.domain.tenant import hash_secret
from chalicelib.services.pay_tokens import pay_token, pay_token_hash, pay_url

pytestmark = pytest.mark.unit

SECRET = "s3cret-for-tests"
CLAIM_ID = "01JCLAIM000000000000000000"
DIGITS = "0123456789"
LETTERS = "ABCDEFGHJKMNPQRSTVWXYZ"

# --- ISO 11649 payment references ---------------------------------------------------------------


def test_a_new_reference_is_a_valid_iso_11649_creditor_reference() -> None:
    for _ in range(200):
        reference = new_reference()
        assert iso11649.is_valid(reference), reference
        assert is_valid(reference)
        assert reference.startswith("RF")


def test_a_new_reference_is_short_enough_to_type() -> None:
    assert all(len(new_reference()) <= 14 for _ in range(50))


def test_a_new_reference_avoids_letters_that_look_like_digits() -> None:
    body = "".join(new_reference()[4:] for _ in range(300))
    assert not set(body) & set("ILOU")
    assert set(body) <= set(DIGITS + LETTERS)


def test_new_references_differ() -> None:
    assert len({new_reference() for _ in range(100)}) == 100


def _one_changed(reference: str, position: int) -> str:
    """The reference with the character at `position` replaced by another of its kind (digit or letter)."""
    original = reference[position]
    pool = DIGITS if original.isdigit() else LETTERS
    replacement = pool[(pool.index(original) + 1) % len(pool)]
    return reference[:position] + replacement + reference[position + 1 :]


def test_one_mistyped_character_makes_the_reference_invalid() -> None:
    # GIVEN
    reference = new_reference()
    # WHEN each character after "RF" is changed in turn
    for position in range(2, len(reference)):
        mistyped = _one_changed(reference, position)
        # THEN the check digits catch it
        assert mistyped != reference
        assert not is_valid(mistyped), (reference, mistyped)


def test_a_known_reference_is_valid_and_a_changed_one_is_not() -> None:
    assert is_valid("RF18539007547034")
    assert not is_valid("RF18539007547035")
    assert not is_valid("")


def test_pretty_groups_the_reference_by_four() -> None:
    assert pretty("RF31DYZB89MNPF") == "RF31 DYZB 89MN PF"
    assert pretty("RF18539007547034") == "RF18 5390 0754 7034"


def test_pretty_accepts_a_reference_typed_with_spaces_and_lower_case() -> None:
    assert pretty("rf31 dyzb89mnpf") == "RF31 DYZB 89MN PF"


# --- pay-page tokens ----------------------------------------------------------------------------


def test_a_pay_token_carries_at_least_128_bits() -> None:
    token = pay_token(SECRET, CLAIM_ID)
    assert len(token) >= 22
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(decoded) * 8 >= 128


def test_a_pay_token_is_url_safe_without_padding() -> None:
    token = pay_token(SECRET, CLAIM_ID)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_the_same_claim_and_secret_always_give_the_same_token() -> None:
    assert pay_token(SECRET, CLAIM_ID) == pay_token(SECRET, CLAIM_ID)


def test_another_claim_gets_another_token() -> None:
    assert pay_token(SECRET, CLAIM_ID) != pay_token(SECRET, "01JCLAIM000000000000000001")


def test_another_secret_gives_another_token_for_the_same_claim() -> None:
    assert pay_token(SECRET, CLAIM_ID) != pay_token("another-secret", CLAIM_ID)


def test_the_token_does_not_reveal_the_claim_id() -> None:
    assert CLAIM_ID not in pay_token(SECRET, CLAIM_ID)


def test_only_a_hash_of_the_token_is_stored() -> None:
    # GIVEN
    token = pay_token(SECRET, CLAIM_ID)
    # WHEN
    stored = pay_token_hash(SECRET, CLAIM_ID)
    # THEN the stored value is not the token, but a token presented later can be checked against it
    assert stored != token
    assert token not in stored
    assert stored == hash_secret(token)
    assert len(stored) == 64


def test_the_pay_url_carries_the_token_under_pay() -> None:
    assert pay_url("https://pay.example", SECRET, CLAIM_ID) == f"https://pay.example/pay/{pay_token(SECRET, CLAIM_ID)}"
