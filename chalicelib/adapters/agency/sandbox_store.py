"""The local agency sandbox's memory: every hand-over it received, verified."""

from __future__ import annotations

import threading
from typing import Any


class AgencyInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[str, dict[str, Any]] = {}

    def receive(self, payload: dict[str, Any]) -> tuple[str, bool]:
        """Keep the hand-over once per handover_id; returns the agency reference and whether it is new."""
        handover_id = str(payload.get("handover_id", ""))
        with self._lock:
            new = handover_id not in self._received
            if new:
                self._received[handover_id] = payload
        return f"AG-{handover_id}", new

    def list(self, claim_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._received.values())
        return [p for p in items if claim_id is None or p.get("claim", {}).get("id") == claim_id]


inbox = AgencyInbox()
