"""The strict base of every request model, and the field types several of them share.

Strict means: unknown keys are refused, nothing is coerced (no "100" for 100, no 12.5 for cents), and
surrounding whitespace is stripped.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT = 10**12  # minor units; anything larger is a unit mistake, not a claim
MinorUnits = Annotated[int, Field(gt=0, le=MAX_AMOUNT, description="integer minor units, e.g. cents")]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)
