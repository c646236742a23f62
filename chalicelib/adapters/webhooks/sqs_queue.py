"""An SQS queue with its dead-letter queue: `webhooks` (one message per attempt, delayed for back-off) and
`notices` (a notice waiting for the contact window or a provider retry) both go through it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.adapters.sqs_pair import QueuePair

if TYPE_CHECKING:
    from chalicelib.adapters.sqs_pair import Which

MAX_DELAY_SECONDS = 900


class QueueMessage(Protocol):
    """What the queue carries: DeliveryMessage (webhooks) or QueuedNotice (notices)."""

    def to_json(self) -> str: ...


class SqsDeliveryQueue:
    def __init__(self, queue_name: str, dead_letter_queue_name: str, sqs_client: Any | None = None) -> None:
        self._queues = QueuePair(queue_name, dead_letter_queue_name, sqs_client)

    def enqueue(self, message: QueueMessage, delay_seconds: int) -> None:
        self._send("queue", message.to_json(), max(0, min(MAX_DELAY_SECONDS, delay_seconds)))

    def park(self, message: QueueMessage, reason: str) -> None:
        """The parked body is the queue message plus why it was given up, so nothing about the event is lost."""
        body = {**json.loads(message.to_json()), "reason": reason}
        self._send("dlq", json.dumps(body, separators=(",", ":")), 0)

    def _send(self, which: Which, body: str, delay_seconds: int) -> None:
        url = self._queues.url(which)
        self._queues.call("send_message", QueueUrl=url, MessageBody=body, DelaySeconds=delay_seconds)
