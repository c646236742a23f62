"""How often the pay page's actions may be used: enough for any real debtor, too little for a flood.

Anyone holding a pay link can act on it, so each action is counted per link (token) and per claim, in
fixed windows of real time. A contact message becomes an email to the merchant and an event for its
webhooks: a debtor writes a few a day, so five an hour and ten a day are plenty. The other actions
change an agreement or open a checkout and are confirmed by email; a debtor tries a few dates or
counts, so twenty an hour (thirty for checkout, which a browser may reload) never stand in the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import DomainError
from .pay_actions import PayAction

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class Limit:
    requests: int
    window_seconds: int  # real seconds; windows start at multiples of their length (UTC)

    def window_end(self, now: float) -> float:
        return (math.floor(now / self.window_seconds) + 1) * self.window_seconds


LIMITS: dict[str, tuple[Limit, ...]] = {
    PayAction.CONTACT: (Limit(5, HOUR), Limit(10, DAY)),
    PayAction.DISPUTE: (Limit(10, HOUR),),
    PayAction.PROMISE: (Limit(20, HOUR),),
    PayAction.INSTALMENTS: (Limit(20, HOUR),),
    PayAction.PAUSE: (Limit(20, HOUR),),
    PayAction.CHECKOUT: (Limit(30, HOUR),),
}


class TooManyRequestsError(DomainError):
    """The link or the claim used up an action's allowance; nothing was done, and nothing was sent."""

    def __init__(self, action: str, retry_after: int) -> None:
        super().__init__(f"too many {action} requests for this payment link; retry in {retry_after} s")
        self.action = action
        self.retry_after = retry_after


def counted(action: str, token_hash: str, claim_id: str) -> tuple[str, ...]:
    """What one request counts against: its link and its claim (a claim's links share the claim's allowance)."""
    return (f"pay:{action}:token:{token_hash}", f"pay:{action}:claim:{claim_id}")


def retry_after(limit: Limit, now: float) -> int:
    """Whole seconds until the window that is full ends (at least 1), for the Retry-After header."""
    return max(1, math.ceil(limit.window_end(now) - now))
