"""What Lambda's event source mappings do, for the local stack: the events stream and the queues feed their functions.

`EventSources.start()` runs one background thread per source (the local stack); `pump()` does one
synchronous pass until nothing is pending (the moto-backed tests, deterministic).
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from chalicelib.resources import QUEUES, STREAM_CONSUMERS, Queue
from infra.local.lambdas import FakeContext

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.resources import Names

# Modules whose Chalice functions consume streams and queues; a function not written yet is looked up again later.
CONSUMER_MODULES = (
    "chalicelib.webhook_tasks",
    "chalicelib.statement_tasks",
    "chalicelib.agency_tasks",
    "chalicelib.notice_tasks",
)
STREAM_BATCH = 100
STREAM_IDLE_SECONDS = 0.25  # Lambda polls a stream shard about four times a second
QUEUE_WAIT_SECONDS = 1  # long polling: the wait happens inside ReceiveMessage
QUEUE_IDLE_SECONDS = 0.1
MAX_PUMP_ROUNDS = 1000
log = logging.getLogger(__name__)


def consumer(name: str) -> Callable[[dict[str, Any], Any], Any] | None:
    for module_name in CONSUMER_MODULES:
        function = getattr(importlib.import_module(module_name), name, None)
        if callable(function):
            return function
    return None


def _context(name: str) -> FakeContext:
    return FakeContext(function_name=name, aws_request_id=str(uuid.uuid4()))


class StreamSource:
    """One table's stream, from its oldest record (TRIM_HORIZON), so nothing written after start is missed."""

    def __init__(self, session: Any, table_name: str, function: str) -> None:
        self.table_name = table_name
        self.function = function
        self._dynamodb = session.client("dynamodb")
        # botocore sends stream-ARN calls to "<account>.streams-ddb.<region>.amazonaws.com", which moto 5.2.5 does
        # not route (404 "Not yet implemented"); the regional endpoint works everywhere.
        self._streams = session.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._arn = ""
        self._after = ""  # sequence number of the last record handed to the function

    def _iterator(self) -> str:
        """A fresh iterator after the last record handed over (from the oldest at first).

        Not one long-lived iterator: when a TransactWriteItems fails, moto restores the table from a
        copy, stream shard included, and an iterator of the old shard never sees another record.
        """
        if not self._arn:
            self._arn = self._dynamodb.describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        shards = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"]
        # moto keeps one shard per table; a deployed stream's shards are read by Lambda itself.
        position: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._after}
            if self._after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        return str(
            self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shards[0]["ShardId"], **position)[
                "ShardIterator"
            ]
        )

    def poll(self) -> int:
        """Hand the next batch to the function; if it raises, the position stays and the batch comes again."""
        result = self._streams.get_records(ShardIterator=self._iterator(), Limit=STREAM_BATCH)
        records = result.get("Records", [])
        if records:
            function = consumer(self.function)
            if function is None:
                return 0
            function({"Records": [self._record(r) for r in records]}, _context(self.function))
            self._after = str(records[-1]["dynamodb"]["SequenceNumber"])
        return len(records)

    def _record(self, record: dict[str, Any]) -> dict[str, Any]:
        """The shape Lambda hands a function: boto3's datetime becomes epoch seconds, plus the source ARN."""
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "dynamodb": dynamodb, "eventSourceARN": self._arn}


class QueueSource:
    """One queue and its consumer: the records the function does not report as failed are deleted."""

    def __init__(self, session: Any, names: Names, queue: Queue) -> None:
        self.queue = queue
        self._sqs = session.client("sqs")
        self._url = self._sqs.get_queue_url(QueueName=names.queue(queue.key))["QueueUrl"]
        attributes = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])
        self._arn = attributes["Attributes"]["QueueArn"]
        self._region = names.region

    def poll(self, wait_seconds: int) -> int:
        function = consumer(self.queue.consumer)
        if function is None:
            return 0  # the consumer is not written yet: its messages wait in the queue
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=self.queue.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        try:
            result = function({"Records": [self._record(m) for m in messages]}, _context(self.queue.consumer))
        except Exception:  # a crashed invocation: every message returns after the visibility timeout
            log.exception(
                "%s failed; %d messages return after the visibility timeout", self.queue.consumer, len(messages)
            )
            return len(messages)
        reported = result.get("batchItemFailures", []) if isinstance(result, dict) else []
        failed = {failure.get("itemIdentifier") for failure in reported}
        done = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(messages)
            if m["MessageId"] not in failed
        ]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self._url, Entries=done)
        return len(messages)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }


class EventSources:
    def __init__(self, names: Names, session: Any | None = None) -> None:
        session = session or boto3.session.Session(region_name=names.region)
        self.streams = [StreamSource(session, names.table(s.table), s.consumer) for s in STREAM_CONSUMERS]
        self.queues = [QueueSource(session, names, queue) for queue in QUEUES]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def pump(self) -> int:
        """Process pending stream records and due queue messages until a whole round finds nothing."""
        total = 0
        for _ in range(MAX_PUMP_ROUNDS):
            handled = sum(_drain(stream.poll) for stream in self.streams)
            handled += sum(_drain(functools.partial(queue.poll, 0)) for queue in self.queues)
            if not handled:
                return total
            total += handled
        raise RuntimeError(f"event sources still busy after {MAX_PUMP_ROUNDS} rounds")

    def start(self) -> EventSources:
        for stream in self.streams:
            self._spawn(f"stream-{stream.function}", stream.poll, STREAM_IDLE_SECONDS)
        for queue in self.queues:
            self._spawn(
                f"queue-{queue.queue.key}", functools.partial(queue.poll, QUEUE_WAIT_SECONDS), QUEUE_IDLE_SECONDS
            )
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=QUEUE_WAIT_SECONDS + 5)
        self._threads.clear()

    def _spawn(self, name: str, poll: Callable[[], int], idle_seconds: float) -> None:
        def run() -> None:
            while not self._stop.is_set():
                try:
                    handled = poll()
                except Exception:  # like Lambda's poller: log, wait, try the same position again
                    log.exception("event source %s failed", name)
                    handled = 0
                if not handled:
                    self._stop.wait(idle_seconds)

        thread = threading.Thread(target=run, name=f"event-source-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)


def _drain(poll: Callable[[], int]) -> int:
    total = 0
    while handled := poll():
        total += handled
    return total
