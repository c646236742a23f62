"""What a debtor sends to a pay-page action, as the HTML form or as JSON: typed and bounded before any rule sees it.

Each action reads its own fields and ignores the rest (the form also carries its CSRF token and language):
promise: date; instalments: count; dispute: reason, message; pause: reason, days; contact: message.
Whether a date, count or reason is acceptable is the agreement rules' business (services.self_service);
here a count is a whole number of at most six digits, a message is a string without control characters,
and a body is small. So a 5000-digit count or a message sent as a JSON object is a 400 naming the field,
never a 500 from int() or a str() of something the debtor did not write.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from chalicelib.contracts import json_body
from chalicelib.contracts.strict import Paragraph, StrictModel

# A 2000-character message, percent- or \u-escaped as forms and JSON encoders send it, stays below this.
MAX_BODY_BYTES = 16 * 1024
MAX_WHOLE_NUMBER = 999_999  # far beyond any instalment count or pause length a tenant allows


def _whole_number(value: Any) -> Any:
    """A form sends "3" and JSON 3, both the number 3; a blank field is no answer. Strings are bounded before int()."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdecimal()) or len(text) > len(str(MAX_WHOLE_NUMBER)):
            raise PydanticCustomError("whole_number", "a whole number from 0 to {most} is required", _MOST)
        return int(text)
    return value


_MOST = {"most": MAX_WHOLE_NUMBER}
WholeNumber = Annotated[Annotated[int, Field(ge=0, le=MAX_WHOLE_NUMBER)] | None, BeforeValidator(_whole_number)]


class PayActionIn(StrictModel):
    """The fields of every pay-page action; each action reads its own and ignores the rest."""

    model_config = ConfigDict(extra="ignore")

    date: dt.date | None = Field(default=None, description="promise: the day the debtor will pay")
    count: WholeNumber = Field(default=None, description="instalments: how many")
    reason: Paragraph | None = Field(default=None, description="dispute: one of the DisputeReason values; pause: why")
    message: Paragraph | None = Field(default=None, description="dispute, contact: the debtor's own words")
    days: WholeNumber = Field(default=None, description="pause: how many days")

    def fields(self) -> dict[str, Any]:
        """What the action's rules read: only what was sent, as JSON values (the date as YYYY-MM-DD)."""
        return self.model_dump(mode="json", exclude_none=True)


def from_json(raw: bytes) -> PayActionIn:
    """An empty body is an action without fields (checkout); hostile JSON is refused by json_body first."""
    if not raw.strip():
        return PayActionIn()
    json_body.loads(raw)
    return PayActionIn.model_validate_json(raw)


def from_form(form: dict[str, str]) -> PayActionIn:
    """Form fields are strings: validated as the JSON strings they are, with the same strict rules."""
    return PayActionIn.model_validate_json(json.dumps(form))
