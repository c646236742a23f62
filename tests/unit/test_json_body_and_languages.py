"""Hostile JSON is a 400 naming the field; a debtor's language is a real one, written to in a supported one."""

from __future__ import annotations

import pytest

from chalicelib.contracts.json_body import MAX_DEPTH, loads
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.languages import SUPPORTED, is_language, written_in

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nested deeper"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "nested deeper"),
        (b'{"amount": NaN}', "NaN"),
        (b'{"amount": -Infinity}', "Infinity"),
        (b'{"amount": 1e999}', "beyond the range"),
        (b'{"count": ' + b"9" * 4301 + b"}", "digits"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
    ],
)
def test_hostile_json_is_refused_naming_the_field(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        loads(raw, "payload")
    assert refused.value.field == "payload"
    assert reason in refused.value.message


def test_ordinary_json_reads_as_python_values() -> None:
    assert loads(b'{"total": 12.5, "items": [1, "x", null, true]}') == {"total": 12.5, "items": [1, "x", None, True]}
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.mark.parametrize("code", ["de", "en", "fr", "tr"])
def test_real_languages_are_languages(code: str) -> None:
    assert is_language(code)


@pytest.mark.parametrize("code", ["zz", "xx", "DE", "deu", "", "root"])
def test_made_up_or_malformed_codes_are_not_languages(code: str) -> None:
    assert not is_language(code)


def test_a_debtor_is_written_to_in_their_language_where_it_is_supported_else_the_fallback() -> None:
    assert [written_in(code) for code in (*SUPPORTED, "fr", None)] == [*SUPPORTED, "en", "en"]
