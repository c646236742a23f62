"""An SQS queue with its dead-letter queue: `webhooks` (one message per attempt, delayed for back-off) and
`notices` (a notice waiting for the contact window or a provider retry) both go through it."""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol

import boto3
from botocore.exceptions import ClientError

from chalicelib.domain.errors import TransientError

MAX_DELAY_SECONDS = 900


class QueueMessage(Protocol):
    """What the queue carries: DeliveryMessage (webhooks) or QueuedNotice (notices)."""

    def to_json(self) -> str: ...


class SqsDeliveryQueue:
    def __init__(self, queue_name: str, dead_letter_queue_name: str, sqs_client: Any | None = None) -> None:
        self._names = {"queue": queue_name, "dlq": dead_letter_queue_name}
        self._client = sqs_client
        self._urls: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("sqs")
        return self._client

    def enqueue(self, message: QueueMessage, delay_seconds: int) -> None:
        self._send("queue", message.to_json(), max(0, min(MAX_DELAY_SECONDS, delay_seconds)))

    def park(self, message: QueueMessage, reason: str) -> None:
        """The parked body is the queue message plus why it was given up, so nothing about the event is lost."""
        body = {**json.loads(message.to_json()), "reason": reason}
        self._send("dlq", json.dumps(body, separators=(",", ":")), 0)

    def url(self, which: str) -> str:
        """Queue URLs are looked up once per process (Lambda containers are reused)."""
        with self._lock:
            if which not in self._urls:
                self._urls[which] = self._call("get_queue_url", QueueName=self._names[which])["QueueUrl"]
            return self._urls[which]

    def _send(self, which: str, body: str, delay_seconds: int) -> None:
        self._call("send_message", QueueUrl=self.url(which), MessageBody=body, DelaySeconds=delay_seconds)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            # Every SQS failure here is worth a retry: the handler reports the record and SQS redelivers it.
            raise TransientError(f"SQS {operation} failed: {exc.response['Error'].get('Code')}") from exc
