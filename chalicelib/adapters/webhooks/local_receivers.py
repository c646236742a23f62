"""The local stack's webhook receivers: what each named receiver got, so the demo can show signed deliveries."""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime
from typing import Any

MAX_KEPT = 500  # per receiver; the oldest go first
FAILING_PREFIX = "failing"


class LocalReceivers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[str, deque[dict[str, Any]]] = {}

    def receive(self, name: str, headers: dict[str, str], body: str) -> int:
        """Record the request; the status to answer: receivers named "failing…" answer 503 to exercise retries."""
        entry = {"headers": headers, "body": body, "received_at": datetime.now(UTC).isoformat()}
        with self._lock:
            self._received.setdefault(name, deque(maxlen=MAX_KEPT)).append(entry)
        return 503 if name.startswith(FAILING_PREFIX) else 200

    def list(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received.get(name, ()))


receivers = LocalReceivers()
