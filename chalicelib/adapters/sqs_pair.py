"""An SQS queue and its dead-letter queue, by name: the client, URLs looked up once, failures worth a retry."""

from __future__ import annotations

import threading
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError

from chalicelib.domain.errors import TransientError

Which = Literal["queue", "dlq"]


class QueuePair:
    def __init__(self, queue_name: str, dead_letter_queue_name: str, sqs_client: Any | None = None) -> None:
        self._names: dict[Which, str] = {"queue": queue_name, "dlq": dead_letter_queue_name}
        self._client = sqs_client
        self._urls: dict[Which, str] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("sqs")
        return self._client

    def url(self, which: Which) -> str:
        """Queue URLs are looked up once per process (Lambda containers are reused)."""
        with self._lock:
            if which not in self._urls:
                self._urls[which] = self.call("get_queue_url", QueueName=self._names[which])["QueueUrl"]
            return self._urls[which]

    def call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            # Every SQS failure here is worth a retry: the handler reports the record, and the queue or the
            # stream hands it again.
            raise TransientError(f"SQS {operation} failed: {exc.response['Error'].get('Code')}") from exc
