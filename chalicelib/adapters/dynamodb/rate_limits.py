"""DynamoRateLimiter: fixed-window counters in the rate_limits table, one atomic ADD per request, expired by TTL."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.models import RateCounterModel
from chalicelib.adapters.dynamodb.transactions import raise_if_throttled


class DynamoRateLimiter:
    def hit(self, key: str, window_seconds: int, now: float) -> int:
        start = math.floor(now / window_seconds) * window_seconds
        counter = RateCounterModel(keys.rate_window(key, window_seconds, start))
        # TTL deletes within a day or two of expiry; the window is in the key, so a late delete changes no count.
        expires = datetime.fromtimestamp(start + window_seconds, UTC)
        try:
            counter.update(actions=[RateCounterModel.hits.add(1), RateCounterModel.expires_at.set(expires)])
        except UpdateError as exc:
            raise_if_throttled(exc)
            raise
        return int(counter.hits)
