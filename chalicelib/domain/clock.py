"""The virtual clock: one strategy day lasts DAY_SECONDS real seconds, counted from a fixed epoch.

In production DAY_SECONDS is 86400 and virtual time is real time. In the demo and the tests
the whole ladder runs in seconds; every rule (due dates, quiet hours, holidays) is evaluated in
virtual time, and only the waits are converted back to real seconds.

Step Functions waits in whole real seconds. A wait is therefore rounded down, never up: the step
that acts waits out the fraction of a second that is left (`wait_until`), so a message planned
for 08:00 is sent at 08:00 even when one real second is two virtual days.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = 86400.0
# The most a step waits by itself: the fraction of a second Step Functions' whole-second timeout left over,
# with room for the timeout firing a little early. Anything longer is the state machine's to wait.
MAX_STEP_WAIT_SECONDS = 1.5
# Real datetimes count microseconds, and one of them is a fifth of a virtual second at half a second per day:
# a step sleeps this much beyond the moment so that its clock shows the moment reached, not a hair before it.
_PAST_THE_MOMENT = 0.0001


def _real_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class VirtualClock:
    day_seconds: float
    epoch: datetime
    real_now: Callable[[], datetime] = field(default=_real_now)
    sleep: Callable[[float], None] = field(default=time.sleep)

    @property
    def speed(self) -> float:
        return DAY / self.day_seconds

    def now(self) -> datetime:
        return self.to_virtual(self.real_now())

    def today(self) -> date:
        return self.now().date()

    def to_virtual(self, real: datetime) -> datetime:
        return self.epoch + (real - self.epoch) * self.speed

    def to_real(self, virtual: datetime) -> datetime:
        """The real instant at which the virtual clock shows `virtual`."""
        return self.epoch + (virtual - self.epoch) / self.speed

    def real_seconds_until(self, virtual: datetime) -> float:
        return max(0.0, (virtual - self.now()).total_seconds() / self.speed)

    def wait_seconds_until(self, virtual: datetime) -> int:
        """Whole real seconds Step Functions may wait without passing `virtual`; 0 means less than a second."""
        return math.floor(self.real_seconds_until(virtual))

    def wait_until(self, virtual: datetime, at_most: float = MAX_STEP_WAIT_SECONDS) -> bool:
        """Wait for `virtual` if it is at most `at_most` real seconds away; True once it has come."""
        for _ in range(3):  # a sleep that ends early (a signal) is resumed; more would be a broken clock
            if self.now() >= virtual:
                return True
            remaining = self.real_seconds_until(virtual)
            if remaining > at_most:
                return False
            self.sleep(remaining + _PAST_THE_MOMENT)
        return self.now() >= virtual

    def real_duration(self, virtual: timedelta) -> float:
        return virtual.total_seconds() / self.speed
