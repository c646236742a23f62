"""Every string of every request model is printable: one-line fields refuse every control character, free text keeps
its line breaks. The error names the field and the code point, never the character itself."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pydantic
import pytest

from chalicelib.api.bank_schemas import AssignIn
from chalicelib.api.schemas import CancelIn, PaymentIn, SandboxPaymentIn
from chalicelib.api.webhook_schemas import WebhookEndpointIn
from chalicelib.contracts.claims import ClaimIn
from chalicelib.contracts.strict import Paragraph, StrictModel
from tests.factories import claim_request

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.unit


def _claim(text: str) -> dict[str, Any]:
    return claim_request(debtor={"name": f"Eri{text}ka"})


# (model, a valid body with `text` in one of its one-line strings, the field that is named)
ONE_LINE: list[tuple[type[StrictModel], Callable[[str], dict[str, Any]], tuple[str | int, ...]]] = [
    (ClaimIn, _claim, ("debtor", "name")),
    (ClaimIn, lambda t: claim_request(description=f"Order{t}4711"), ("description",)),
    (PaymentIn, lambda t: {"amount": 100, "reference": f"bank{t}42"}, ("reference",)),
    (CancelIn, lambda t: {"reason": f"returned{t}"}, ("reason",)),
    (SandboxPaymentIn, lambda t: {"claim_id": f"01J{t}X", "amount": 100}, ("claim_id",)),
    (AssignIn, lambda t: {"claim_id": f"01J{t}X"}, ("claim_id",)),
    (WebhookEndpointIn, lambda t: {"url": "https://shop.example/hook", "events": [f"claim.paid{t}"]}, ("events",)),
    (
        WebhookEndpointIn,
        lambda t: {"url": "https://shop.example/hook", "events": ["*"], "description": t},
        ("description",),
    ),
]


def _locations(model: type[StrictModel], body: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(pydantic.ValidationError) as caught:
        model.model_validate_json(json.dumps(body))
    return [error["loc"] for error in caught.value.errors()]


@pytest.mark.parametrize(("model", "body", "field"), ONE_LINE, ids=lambda v: getattr(v, "__name__", None) or str(v))
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\r\n", "\x7f", "\u0085"], ids=repr)
def test_a_control_character_in_a_one_line_field_is_refused(
    model: type[StrictModel], body: Callable[[str], dict[str, Any]], field: tuple[str, ...], char: str
) -> None:
    assert _locations(model, body(f"x{char}y")) == [field]


@pytest.mark.parametrize(("model", "body", "field"), ONE_LINE, ids=lambda v: getattr(v, "__name__", None) or str(v))
def test_the_same_bodies_pass_without_it(
    model: type[StrictModel], body: Callable[[str], dict[str, Any]], field: tuple[str, ...]
) -> None:
    model.model_validate_json(json.dumps(body("-")))


def test_the_error_names_the_code_point_not_the_character() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        ClaimIn.model_validate_json(json.dumps(_claim("\x00")))
    message = caught.value.errors()[0]["msg"]

    assert message == "contains the control character U+0000"


class Note(StrictModel):
    title: str
    text: Paragraph | None = None


def test_free_text_keeps_its_line_breaks_and_tabs_but_refuses_other_control_characters() -> None:
    kept = Note.model_validate_json(json.dumps({"title": "Parcel", "text": "Hello,\r\n\tthe parcel never came."}))
    assert kept.text == "Hello,\r\n\tthe parcel never came."

    assert _locations(Note, {"title": "Parcel", "text": "Hello\x00"}) == [("text",)]
    assert _locations(Note, {"title": "Par\ncel"}) == [("title",)]


def test_a_made_up_language_is_refused_naming_it() -> None:
    assert _locations(ClaimIn, claim_request(debtor={"language": "zz"})) == [("debtor", "language")]
