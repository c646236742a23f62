"""Fakes for the ports whose real adapters talk to the outside: swapped in at the composition root."""

from __future__ import annotations

import threading
from typing import Any

from chalicelib.domain.errors import PermanentDeliveryError, TransientError


class FakeAgency:
    """An agency that records what it receives; can be told to fail."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.failures: list[Exception] = []
        self._lock = threading.Lock()

    def hand_over(self, payload: dict[str, Any]) -> str:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.received.append(payload)
        return f"AG-{len(self.received)}"

    def fail_transiently(self, times: int) -> None:
        self.failures.extend(TransientError("agency busy") for _ in range(times))

    def refuse(self) -> None:
        self.failures.append(PermanentDeliveryError("agency refuses the claim"))
