"""The `agency` SQS FIFO queue: agency updates in order per claim, back-off by visibility, a FIFO dead-letter queue."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.sqs_pair import QueuePair
from chalicelib.domain.agency_updates import AgencyUpdate, QueuedUpdate

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.adapters.sqs_pair import Which

MAX_VISIBILITY_SECONDS = 12 * 3600  # SQS refuses a longer visibility timeout


class SqsAgencyUpdateQueue:
    """AgencyUpdateQueue on SQS FIFO: message group = claim id, deduplication id = update id."""

    def __init__(self, queue_name: str, dead_letter_queue_name: str, sqs_client: Any | None = None) -> None:
        self._queues = QueuePair(queue_name, dead_letter_queue_name, sqs_client)

    def enqueue(self, update: AgencyUpdate) -> None:
        self._send("queue", update.to_json(), update)

    def retry_later(self, queued: QueuedUpdate, delay_seconds: int) -> None:
        """The message stays in flight for the delay; its claim's later updates wait behind it, as they must."""
        seconds = max(0, min(MAX_VISIBILITY_SECONDS, delay_seconds))
        url = self._queues.url("queue")
        self._queues.call(
            "change_message_visibility", QueueUrl=url, ReceiptHandle=queued.receipt, VisibilityTimeout=seconds
        )

    def park(self, queued: QueuedUpdate, reason: str) -> None:
        """The parked body is the update plus why it was given up; the consumer then deletes the original."""
        body = {**json.loads(queued.update.to_json()), "reason": reason, "attempts": queued.attempt}
        self._send("dlq", json.dumps(body, separators=(",", ":"), sort_keys=True), queued.update)

    def _send(self, which: Which, body: str, update: AgencyUpdate) -> None:
        self._queues.call(
            "send_message",
            QueueUrl=self._queues.url(which),
            MessageBody=body,
            MessageGroupId=update.claim_id,
            MessageDeduplicationId=update.update_id,
        )


def queued_update(record: Mapping[str, Any]) -> QueuedUpdate:
    """An SQS record as Lambda hands it over; ApproximateReceiveCount numbers the attempts (exact for FIFO)."""
    attributes = record.get("attributes") or {}
    return QueuedUpdate(
        update=AgencyUpdate.from_json(str(record["body"])),
        attempt=int(attributes.get("ApproximateReceiveCount") or 1),
        receipt=str(record.get("receiptHandle", "")),
    )
