"""Reading JSON that strangers send: a broken, hostile or absurd document is a 400 naming the field, never a 500.

Python's json module recurses once per nesting level and raises RecursionError deep down, accepts NaN and
Infinity, and refuses integers of more than 4300 digits with a ValueError; each of those would otherwise
escape as a server error. Documents that parse are then walked once, without recursion, so that no later
code (pydantic, templates, our own walkers) meets more nesting than a real payload has.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_DEPTH = 64  # Shopware's order entity, the deepest payload we read, nests 9 levels
MAX_INTEGER_DIGITS = 40  # far beyond any amount or id; 4300 digits would make int() itself fail


def loads(raw: bytes | str, field: str = "body", *, exact_decimals: bool = False) -> Any:
    """The parsed document, or InvalidInputError(field) saying why it is not one we read.

    With `exact_decimals`, fractions are Decimals exactly as written: shops send prices as JSON numbers
    (Shopware's 395.01, WooCommerce's 12.5), and a float would turn 395.01 into 395.0100000000000193…
    """
    parse_float = _bounded_decimal if exact_decimals else _finite_float
    try:
        document = json.loads(raw, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=parse_float)
    except _RefusedNumberError as exc:
        raise InvalidInputError(field, str(exc)) from exc
    except RecursionError as exc:
        raise InvalidInputError(field, f"JSON nested deeper than {MAX_DEPTH} levels") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(field, "not valid JSON") from exc
    require_depth(document, field)
    return document


def require_depth(document: Any, field: str = "body", max_depth: int = MAX_DEPTH) -> None:
    """Refuse a parsed document nested deeper than `max_depth`, walking it iteratively."""
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise InvalidInputError(field, f"JSON nested deeper than {max_depth} levels")
        pending.extend((child, depth + 1) for child in children)


class _RefusedNumberError(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _RefusedNumberError(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _RefusedNumberError(f"an integer of more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _bounded_decimal(text: str) -> Decimal:
    """Decimal("1E999999") is finite, so the bound is on digits and exponent alike, as for integers."""
    value = Decimal(text)
    if len(value.as_tuple().digits) > MAX_INTEGER_DIGITS or abs(value.adjusted()) > MAX_INTEGER_DIGITS:
        raise _RefusedNumberError(f"{text[:20]} is beyond the range of a number")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedNumberError(f"{text} is beyond the range of a number")
    return value
