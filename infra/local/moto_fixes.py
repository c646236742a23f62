"""Every fix the local stack makes to moto, installed in one call.

Each module holds one fix and says why; all keep moto's answers and change only what a fix needs:
- moto_dynamodb_lock: one DynamoDB request at a time (moto's backend is not thread-safe);
- moto_instance_tracking: moto's registry of model objects holds the live ones only;
- moto_dynamodb_transactions: a transaction journals the items it touches instead of copying tables;
- moto_index_queries: a query reads its partition, on the table or an index, not every item;
- moto_streams: stream records and shard iterators expire, as on AWS;
- moto_stepfunctions_parsing: a definition and a JSONPath are parsed once;
- moto_stepfunctions_clients: the interpreter's tasks share one boto3 client per service;
- moto_server_dispatch: the server routes a request without listing its package and classes again.
"""

from __future__ import annotations

import moto

from infra.local.moto_dynamodb_lock import serialize_dynamodb
from infra.local.moto_dynamodb_transactions import journal_transactions
from infra.local.moto_index_queries import query_partitions_only
from infra.local.moto_instance_tracking import track_live_instances_only
from infra.local.moto_server_dispatch import cache_dispatch_lookups
from infra.local.moto_stepfunctions_clients import share_clients
from infra.local.moto_stepfunctions_parsing import cache_parsing
from infra.local.moto_streams import AWS_RETENTION_SECONDS, expire_stream_data

MOTO_VERSION = "5.2.5"  # the fixes replace moto internals of this version: re-check them when moto moves
MIN_STREAM_RETENTION_SECONDS = 15 * 60.0

__all__ = ["install_moto_fixes", "serialize_dynamodb", "stream_retention_seconds"]


def stream_retention_seconds(day_seconds: float) -> float:
    """AWS keeps stream records 24 h: one strategy day, so DAY_SECONDS real seconds on a compressed clock.

    Never under 15 real minutes, though: a consumer that lags under load must not lose a record, and on
    AWS none does before a whole day has passed.
    """
    return max(AWS_RETENTION_SECONDS * day_seconds / 86400.0, MIN_STREAM_RETENTION_SECONDS)


def install_moto_fixes(stream_retention: float = AWS_RETENTION_SECONDS) -> None:
    """Install all of them (idempotent)."""
    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"infra/local's moto fixes are written for moto {MOTO_VERSION}, not {moto.__version__}")
    serialize_dynamodb()
    track_live_instances_only()
    journal_transactions()
    query_partitions_only()
    expire_stream_data(stream_retention)
    cache_parsing()
    share_clients()
    cache_dispatch_lookups()
