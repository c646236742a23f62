"""The port of rate limits: counters of requests per key and fixed window, shared by every Lambda instance."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    def hit(self, key: str, window_seconds: int, now: float) -> int:
        """Count one request for `key` in the window of `window_seconds` that holds `now` (real epoch seconds),
        and return how many the window holds with this one. Windows start at multiples of their length."""
        ...
