"""The strict base of every request model, and the field types several of them share.

Strict means: unknown keys are refused, nothing is coerced (no "100" for 100, no 12.5 for cents), surrounding
whitespace is stripped, and no string of any field holds a control character (chalicelib.domain.text). A field
typed `Paragraph` is free text from a textarea: it may keep line breaks and tabs.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from chalicelib.domain.money import MAX_AMOUNT
from chalicelib.domain.text import control_character, describe


class _LineBreaksAllowed:
    """Metadata that marks free text: `\\n`, `\\r` and `\\t` may stay in it."""

    def __repr__(self) -> str:
        return "LineBreaksAllowed"


LINE_BREAKS_ALLOWED = _LineBreaksAllowed()
MinorUnits = Annotated[int, Field(gt=0, le=MAX_AMOUNT, description="integer minor units, e.g. cents")]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Paragraph = Annotated[str, LINE_BREAKS_ALLOWED]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in _free_text_fields(cls)
        for text in _strings(value):
            char = control_character(text, multiline=multiline)
            if char is not None:
                raise PydanticCustomError(
                    "control_character", "contains the control character {char}", {"char": describe(char)}
                )
        return value


@functools.cache
def _free_text_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, field in model.model_fields.items() if _marked(field.annotation, field.metadata))


def _marked(annotation: Any, metadata: list[Any]) -> bool:
    """Whether LINE_BREAKS_ALLOWED is on the field or anywhere inside its type (`Paragraph | None`)."""
    pending: list[Any] = [annotation, *metadata]
    while pending:
        item = pending.pop()
        if item is LINE_BREAKS_ALLOWED:
            return True
        pending.extend(get_args(item))
    return False


def _strings(value: Any) -> list[str]:
    """Every string in a field's value: itself, or those in its list or mapping (nested models check their own)."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    return found
