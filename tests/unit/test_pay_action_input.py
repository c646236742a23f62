"""The pay page's input, typed before any rule reads it: forms and JSON alike, or a 400 naming the field."""

from __future__ import annotations

import json
from datetime import date

import pydantic
import pytest

from chalicelib.contracts.pay_actions import MAX_WHOLE_NUMBER, from_form, from_json
from chalicelib.domain.errors import InvalidInputError

pytestmark = pytest.mark.unit


def refused_field(raw: bytes) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        from_json(raw)
    return ".".join(str(p) for p in caught.value.errors()[0]["loc"])


def test_a_form_and_json_give_the_rules_the_same_values() -> None:
    form = from_form({"csrf": "1.x", "lang": "de", "count": " 3 ", "date": "2026-12-24", "days": ""})
    body = from_json(b'{"count": 3, "date": "2026-12-24", "shop_field": true}')

    assert form.fields() == body.fields() == {"count": 3, "date": "2026-12-24"}
    assert form.date == date(2026, 12, 24)


def test_an_empty_body_is_an_action_without_fields() -> None:
    assert from_json(b"").fields() == {}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"count": "' + b"9" * 5000 + b'"}',
        b'{"count": "' + str(MAX_WHOLE_NUMBER + 1).encode() + b'"}',
        b'{"count": "\xd9\xa3"}',  # an Arabic-Indic three: a decimal digit to str.isdecimal, not to a debtor's bank
        b'{"count": "3.0"}',
        b'{"count": 3.0}',
        b'{"count": true}',
        b'{"count": -1}',
    ],
    ids=["5000-digits", "too-many", "arabic-indic", "decimal-string", "float", "bool", "negative"],
)
def test_a_count_that_is_not_a_small_whole_number_is_refused_naming_count(raw: bytes) -> None:
    assert refused_field(raw) == "count"


@pytest.mark.parametrize("message", [{"text": "Hallo"}, ["Hallo"], 42, True])
def test_a_message_that_is_not_a_string_is_refused_not_stringified(message: object) -> None:
    assert refused_field(json.dumps({"message": message}).encode()) == "message"


def test_hostile_json_is_refused_by_the_json_reader_naming_the_body() -> None:
    with pytest.raises(InvalidInputError) as caught:
        from_json(b"[" * 3000 + b"]" * 3000)
    assert caught.value.field == "body"


def test_a_body_that_is_not_an_object_is_refused() -> None:
    assert refused_field(b"[1, 2]") == ""
