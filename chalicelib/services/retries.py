"""Optimistic concurrency: re-read and re-apply a change that lost a race for the claim item, until it lands.

A lost race is a ConflictError of exactly that class: the version changed since the claim was read, or DynamoDB
cancelled the transaction because another one was writing the same item. Either way the change is re-read and
applied again after a jittered exponential back-off (full jitter: a random wait up to 20 ms, 40 ms, 80 ms, … and at
most four seconds), so that writers racing for one claim spread out instead of colliding again. Subclasses of
ConflictError say something definite (closed, done before, taken): no retry helps, they are raised at once.

The retries are bounded by time, not by a count: a change keeps trying for RACE_BUDGET_SECONDS (below API
Gateway's 29 s; the money path takes its stage's setting, Settings.race_budget_seconds). One that still loses
then was not written at all, and says so: TransientError, which the API answers with 503 and Retry-After, the
state machine with its retry, a PSP by delivering the webhook again.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TypeVar

from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_random_exponential

from chalicelib.domain.errors import ConflictError, TransientError

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
RACE_BUDGET_SECONDS = 20.0
FIRST_BACKOFF_SECONDS = 0.02
MAX_BACKOFF_SECONDS = 4.0


def lost_race(exc: BaseException) -> bool:
    return type(exc) is ConflictError


def on_conflict(
    attempt: Callable[[], T],
    budget: float = RACE_BUDGET_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """attempt() again after each lost race, until it returns, raises something else, or the budget is spent."""
    retrying = Retrying(
        retry=retry_if_exception(lost_race),
        wait=wait_random_exponential(multiplier=FIRST_BACKOFF_SECONDS, max=MAX_BACKOFF_SECONDS),
        stop=stop_before_delay(budget),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except ConflictError as exc:
        if not lost_race(exc):
            raise
        raise TransientError(f"still losing races after {budget:.0f} s, nothing was written: {exc}") from exc
