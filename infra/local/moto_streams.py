"""DynamoDB streams that forget, as AWS's do: records after their retention, shard iterators after 15 minutes.

moto 5.2.5 keeps every stream record of a table for ever, and every shard iterator it ever handed
out (each GetRecords answer makes a new one, and the local stack's pollers ask four times a second
per stream). AWS keeps stream records for 24 hours and lets a shard iterator expire after 15 minutes.

Records are trimmed from the front of the shard: the shard's starting sequence number moves up by
as many records as were dropped, so each remaining record keeps its sequence number, TRIM_HORIZON
starts at the oldest one kept, and an iterator positioned before it reads on from there (AWS would
answer TrimmedDataAccessException; moto had no trimming, so no caller expects that error).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from moto.core.utils import utcnow
from moto.dynamodb.models.table import StreamShard
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

AWS_RETENTION_SECONDS = 24 * 3600.0
ITERATOR_SECONDS = 15 * 60.0
SWEEP_EVERY_SECONDS = 60.0  # looking for expired iterators, likewise
TRIM_EVERY_SECONDS = 1.0  # trimming shifts the shard's list: do it now and then, not at every write
_moto_add = StreamShard.add
_moto_get = StreamShard.get
_moto_get_shard_iterator = DynamoDBStreamsBackend.get_shard_iterator
_moto_records = ShardIterator.get
_retention = {"seconds": AWS_RETENTION_SECONDS}


def trim(shard: StreamShard, retention_seconds: float) -> int:
    """Drop the records older than the retention (moto stamps them with its naive UTC now); returns how many."""
    cutoff = utcnow() - timedelta(seconds=retention_seconds)
    items = shard.items
    dropped = 0
    while dropped < len(items) and _created(items[dropped]) < cutoff:
        dropped += 1
    if dropped:
        del items[:dropped]
        shard.starting_sequence_number += dropped
    return dropped


def _created(record: Any) -> datetime:
    created: datetime = record.record["dynamodb"]["ApproximateCreationDateTime"]
    return created


def _add(self: StreamShard, old: Any, new: Any) -> None:
    _moto_add(self, old, new)
    now = time.monotonic()
    if now - getattr(self, "_trimmed_at", 0.0) >= TRIM_EVERY_SECONDS:
        self._trimmed_at = now  # type: ignore[attr-defined]
        trim(self, _retention["seconds"])


def _get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
    """moto asserts the position is in the shard; a position in the trimmed part reads from the oldest kept."""
    return _moto_get(self, max(start, self.starting_sequence_number), quantity)


def _forget_expired(backend: DynamoDBStreamsBackend) -> None:
    now = time.monotonic()
    issued: dict[str, float] = backend.__dict__.setdefault("_issued", {})
    if now - backend.__dict__.setdefault("_swept_at", now) < SWEEP_EVERY_SECONDS:
        return
    backend.__dict__["_swept_at"] = now
    for arn in [arn for arn, at in issued.items() if now - at > ITERATOR_SECONDS]:
        issued.pop(arn, None)
        backend.shard_iterators.pop(arn, None)


def _remember(backend: DynamoDBStreamsBackend, iterator: ShardIterator) -> None:
    backend.__dict__.setdefault("_issued", {})[iterator.arn] = time.monotonic()
    _forget_expired(backend)


def _get_shard_iterator(self: DynamoDBStreamsBackend, *args: Any, **kwargs: Any) -> ShardIterator:
    iterator = _moto_get_shard_iterator(self, *args, **kwargs)
    _remember(self, iterator)
    return iterator


def _records(self: ShardIterator, limit: int = 1000) -> dict[str, Any]:
    result = _moto_records(self, limit)
    following = self.streams_backend.shard_iterators.get(result["NextShardIterator"])
    if following is not None:
        _remember(self.streams_backend, following)
    return result


def expire_stream_data(retention_seconds: float = AWS_RETENTION_SECONDS) -> None:
    """Install (idempotent); the retention applies to every stream from now on."""
    _retention["seconds"] = retention_seconds
    StreamShard.add = _add  # type: ignore[method-assign]
    StreamShard.get = _get  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = _get_shard_iterator  # type: ignore[method-assign]
    ShardIterator.get = _records  # type: ignore[method-assign]
