"""The virtual clock: one strategy day lasts DAY_SECONDS real seconds, counted from a fixed epoch.

In production DAY_SECONDS is 86400 and virtual time is real time. In the demo and the tests
the whole ladder runs in seconds; every rule (due dates, quiet hours, holidays) is evaluated in
virtual time, and only the waits are converted back to real seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = 86400.0


def _real_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class VirtualClock:
    day_seconds: float
    epoch: datetime
    real_now: Callable[[], datetime] = field(default=_real_now)

    @property
    def speed(self) -> float:
        return DAY / self.day_seconds

    def now(self) -> datetime:
        return self.to_virtual(self.real_now())

    def today(self) -> date:
        return self.now().date()

    def to_virtual(self, real: datetime) -> datetime:
        return self.epoch + (real - self.epoch) * self.speed

    def real_seconds_until(self, virtual: datetime) -> float:
        return max(0.0, (virtual - self.now()).total_seconds() / self.speed)

    def wait_seconds_until(self, virtual: datetime) -> int:
        """Whole real seconds to wait (Step Functions timeouts are integers); 0 means due now."""
        return math.ceil(self.real_seconds_until(virtual))

    def real_duration(self, virtual: timedelta) -> float:
        return virtual.total_seconds() / self.speed
