"""The local agency sandbox's memory: every hand-over it received, and every update filed under one, verified."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import builtins


class AgencyInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[str, dict[str, Any]] = {}
        self._updates: dict[str, dict[str, Any]] = {}  # update_id → update, in the order they arrived

    def receive(self, payload: dict[str, Any]) -> tuple[str, bool]:
        """Keep the hand-over once per handover_id; returns the agency reference and whether it is new."""
        handover_id = str(payload.get("handover_id", ""))
        with self._lock:
            new = handover_id not in self._received
            if new:
                self._received[handover_id] = payload
        return f"AG-{handover_id}", new

    def receive_update(self, handover_id: str, update: dict[str, Any]) -> bool | None:
        """File the update once per update_id, as a real agency would; None: no such hand-over (a 404)."""
        update_id = str(update.get("update_id", ""))
        with self._lock:
            if handover_id not in self._received or update.get("handover_id") != handover_id:
                return None
            new = update_id not in self._updates
            if new:
                self._updates[update_id] = update
        return new

    def list(self, claim_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._received.values())
        return [p for p in items if claim_id is None or p.get("claim", {}).get("id") == claim_id]

    def updates(self, claim_id: str | None = None) -> builtins.list[dict[str, Any]]:
        with self._lock:
            items = list(self._updates.values())
        return [u for u in items if claim_id is None or u.get("claim", {}).get("id") == claim_id]


inbox = AgencyInbox()
