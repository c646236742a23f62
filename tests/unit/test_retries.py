"""Lost races for the claim item are retried with jittered, growing back-off until the change lands."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import AlreadyDoneError, ClaimClosedError, ConflictError, TransientError
from chalicelib.services.retries import FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, on_conflict

pytestmark = pytest.mark.unit


class Racing:
    """A change that loses `losses` races (a changed version, or a transaction that met another), then lands."""

    def __init__(self, losses: int, error: ConflictError | None = None) -> None:
        self.losses = losses
        self.error = error or ConflictError("claim changed meanwhile")
        self.attempts = 0

    def __call__(self) -> str:
        self.attempts += 1
        if self.attempts <= self.losses:
            raise self.error
        return "written"


def test_a_change_that_keeps_losing_races_is_tried_until_it_lands_not_a_fixed_number_of_times() -> None:
    waits: list[float] = []
    change = Racing(losses=40)

    assert on_conflict(change, sleep=waits.append) == "written"

    assert change.attempts == 41
    assert len(waits) == 40


def test_the_waits_between_attempts_are_random_and_grow_up_to_a_cap() -> None:
    waits: list[float] = []

    on_conflict(Racing(losses=200), sleep=waits.append)

    assert all(0 <= w <= MAX_BACKOFF_SECONDS for w in waits)
    assert all(w <= FIRST_BACKOFF_SECONDS * 2**n for n, w in enumerate(waits[:5]))
    assert len(set(waits)) > 150, "jittered: racing writers do not retry in lockstep"
    assert max(waits[100:]) > 10 * FIRST_BACKOFF_SECONDS, "the back-off grows under lasting contention"


@pytest.mark.parametrize("error", [ClaimClosedError("c1"), AlreadyDoneError("paid before")])
def test_a_definite_conflict_is_raised_at_once(error: ConflictError) -> None:
    change = Racing(losses=1, error=error)

    with pytest.raises(type(error)):
        on_conflict(change, sleep=lambda _: None)

    assert change.attempts == 1


def test_a_change_still_losing_when_the_time_is_up_says_it_was_not_written_and_may_be_retried() -> None:
    change = Racing(losses=10**9)

    with pytest.raises(TransientError, match="nothing was written"):
        on_conflict(change, budget=0.3)

    assert change.attempts > 1
