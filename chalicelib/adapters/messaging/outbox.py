"""The local outbox: every message the demo and the tests sent, readable in order, with no provider behind it."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import builtins
    from collections.abc import Callable

    from chalicelib.services.ports import MessageSender, OutboundMessage


def _utc_now() -> datetime:
    return datetime.now(UTC)


# A message's time is the moment its send was committed (OutboundMessage.sent_at), not when the provider answered:
# at half a second per strategy day a slow provider call would otherwise move it by virtual hours.


class LocalOutbox:
    """In-memory and thread-safe, because the local server handles requests and tasks on several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: builtins.list[dict[str, str]] = []

    def record(self, message: OutboundMessage, provider_id: str, sent_at: datetime) -> None:
        entry = {
            "claim_id": message.claim_id,
            "tenant_id": message.tenant_id,
            "channel": str(message.channel),
            "stage": message.stage,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "sent_at": sent_at.isoformat(),
            "provider_id": provider_id,
        }
        with self._lock:
            self._sent.append(entry)

    def list(self, claim_id: str | None = None) -> builtins.list[dict[str, str]]:
        """Copies in sending order, so a reader can never change what was recorded."""
        with self._lock:
            return [dict(entry) for entry in self._sent if claim_id is None or entry["claim_id"] == claim_id]

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()


class OutboxSender:
    """MessageSender for channels moto does not have (SMS, calls): the outbox is the only place they arrive."""

    def __init__(self, outbox: LocalOutbox, clock: Callable[[], datetime] = _utc_now) -> None:
        self._outbox = outbox
        self._clock = clock

    def send(self, message: OutboundMessage) -> str:
        provider_id = f"outbox-{uuid.uuid4()}"
        self._outbox.record(message, provider_id, message.sent_at or self._clock())
        return provider_id


class RecordingSender:
    """Wraps a real sender (SES or S3 in moto) so that the outbox shows every channel, not just the simulated ones."""

    def __init__(self, inner: MessageSender, outbox: LocalOutbox, clock: Callable[[], datetime]) -> None:
        self._inner = inner
        self._outbox = outbox
        self._clock = clock

    def send(self, message: OutboundMessage) -> str:
        """Record only what the provider accepted: a failed send must not look delivered."""
        provider_id = self._inner.send(message)
        self._outbox.record(message, provider_id, message.sent_at or self._clock())
        return provider_id
