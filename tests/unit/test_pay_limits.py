"""How often a pay link may act: a debtor's few messages a day pass, a flood is refused until its window ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.pay_actions import PayAction
from chalicelib.domain.pay_limits import DAY, HOUR, LIMITS, TooManyRequestsError
from chalicelib.services.pay_limits import admit
from tests.fakes import InMemoryRateLimiter, ManualTime

pytestmark = pytest.mark.unit

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def refusal(limiter: InMemoryRateLimiter, time: ManualTime, action: str, token: str, claim_id: str) -> int | None:
    """None if admitted, else the Retry-After seconds."""
    try:
        admit(action, token, claim_id, limiter, time.clock())
    except TooManyRequestsError as exc:
        return exc.retry_after
    return None


def test_every_pay_page_action_has_a_limit_and_contact_messages_stay_far_below_thirty_a_minute() -> None:
    assert set(LIMITS) == set(PayAction)
    contact = LIMITS[PayAction.CONTACT]
    assert min(limit.requests for limit in contact) < 30
    assert {limit.window_seconds for limit in contact} == {HOUR, DAY}


def test_the_sixth_message_in_an_hour_is_refused_until_the_hour_is_over() -> None:
    limiter, time = InMemoryRateLimiter(), ManualTime(NOON.replace(minute=50))

    answers = [refusal(limiter, time, "contact", "token-a", "claim-a") for _ in range(6)]

    assert answers == [None] * 5 + [600]  # ten minutes until 13:00
    time.advance(minutes=10)
    assert refusal(limiter, time, "contact", "token-a", "claim-a") is None


def test_ten_messages_a_day_is_the_most_even_spread_over_the_hours() -> None:
    limiter, time = InMemoryRateLimiter(), ManualTime(NOON.replace(hour=8))
    answers = []
    for _ in range(11):
        answers.append(refusal(limiter, time, "contact", "token-a", "claim-a"))
        time.advance(hours=1)

    assert answers[:10] == [None] * 10
    assert answers[10] == (24 - 18) * HOUR  # at 18:00, refused until midnight UTC


def test_the_claim_is_counted_too_so_a_second_link_to_it_shares_the_allowance() -> None:
    limiter, time = InMemoryRateLimiter(), ManualTime(NOON)
    for _ in range(5):
        assert refusal(limiter, time, "contact", "old-link", "claim-a") is None

    assert refusal(limiter, time, "contact", "new-link", "claim-a") is not None
    assert refusal(limiter, time, "contact", "third-link", "claim-b") is None


def test_actions_are_counted_apart_so_a_flood_of_messages_leaves_paying_open() -> None:
    limiter, time = InMemoryRateLimiter(), ManualTime(NOON)
    for _ in range(20):
        refusal(limiter, time, "contact", "token-a", "claim-a")

    assert refusal(limiter, time, "checkout", "token-a", "claim-a") is None
    assert refusal(limiter, time, "promise", "token-a", "claim-a") is None


def test_the_link_is_counted_by_its_hash_never_by_the_secret_itself() -> None:
    limiter, time = InMemoryRateLimiter(), ManualTime(NOON)

    refusal(limiter, time, "contact", "the-secret-token", "claim-a")

    assert limiter.counts
    assert not any("the-secret-token" in key for key in limiter.counts)
