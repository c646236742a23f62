"""Admitting a pay-page action, or refusing it before anything is done because its link or claim asked too often."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.pay_limits import LIMITS, TooManyRequestsError, counted, retry_after
from chalicelib.domain.tenant import hash_secret
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import RateLimiter


def admit(action: str, token: str, claim_id: str, limiter: RateLimiter, clock: VirtualClock) -> None:
    """Count the request; raise TooManyRequestsError when one of its windows is full.

    Real time, not the virtual clock: the limits protect the merchant's inbox and webhooks, which live in
    real time even on the local stack. The token is counted by its hash, as the lookups table keeps it.
    """
    now = clock.real_now().timestamp()
    for key in counted(action, hash_secret(token), claim_id):
        for limit in LIMITS.get(action, ()):
            if limiter.hit(key, limit.window_seconds, now) > limit.requests:
                wait = retry_after(limit, now)
                logger.warning("pay-page action refused: too many requests", claim_id=claim_id, action=action)
                count("PayActionsRefused", action=action)
                raise TooManyRequestsError(action, wait)
