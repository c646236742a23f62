"""The local stack's DynamoDB streams: every record reaches a consumer, old records and iterators expire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodbstreams.models import dynamodbstreams_backends

from infra.local import moto_streams
from infra.local.moto_fixes import stream_retention_seconds
from tests.integration.adapters import REGION
from tests.integration.moto_fix_switch import both, fixes

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]

TABLE = "events"
ACCOUNT = "123456789012"
# moto does not route the account endpoint botocore picks for streams, as infra/local/event_sources.py notes
REGIONAL = Config(account_id_endpoint_mode="disabled")


def a_streamed_table() -> tuple[Any, Any, str]:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )  # fmt: skip
    streams = boto3.client("dynamodbstreams", region_name=REGION, config=REGIONAL)
    return client, streams, client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]


def iterator(streams: Any, arn: str, after: str = "") -> str:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else {
        "ShardIteratorType": "TRIM_HORIZON"}  # fmt: skip
    return str(streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **position)["ShardIterator"])


def consume_while_writing() -> list[tuple[str, str]]:
    """The local stack's poller: a fresh iterator after the last record handed over, batches of 7."""
    client, streams, arn = a_streamed_table()
    seen: list[tuple[str, str]] = []
    after = ""
    for n in range(60):
        client.put_item(TableName=TABLE, Item={"id": {"S": f"e{n % 25}"}, "n": {"N": str(n)}})
        if n % 4 == 0:
            records = streams.get_records(ShardIterator=iterator(streams, arn, after), Limit=7)["Records"]
            seen += [(r["eventName"], r["dynamodb"]["NewImage"]["n"]["N"]) for r in records]
            after = records[-1]["dynamodb"]["SequenceNumber"] if records else after
    while records := streams.get_records(ShardIterator=iterator(streams, arn, after), Limit=7)["Records"]:
        seen += [(r["eventName"], r["dynamodb"]["NewImage"]["n"]["N"]) for r in records]
        after = records[-1]["dynamodb"]["SequenceNumber"]
    return seen


def test_a_consumer_gets_every_record_once_and_in_order_as_from_moto() -> None:
    shipped, fixed = both(consume_while_writing, moto_streams.expire_stream_data)

    assert fixed == shipped
    assert [n for _, n in fixed] == [str(n) for n in range(60)]


def age(shard: Any, count: int, hours: float) -> None:
    for record in shard.items[:count]:
        record.record["dynamodb"]["ApproximateCreationDateTime"] -= timedelta(hours=hours)


def test_records_older_than_the_retention_are_trimmed_and_the_rest_keep_their_sequence_numbers() -> None:
    with fixes(moto_streams.expire_stream_data), mock_aws():
        client, streams, arn = a_streamed_table()
        for n in range(10):
            client.put_item(TableName=TABLE, Item={"id": {"S": f"e{n}"}})
        before = streams.get_records(ShardIterator=iterator(streams, arn))["Records"]
        shard: Any = dynamodb_backends[ACCOUNT][REGION].get_table(TABLE).stream_shard
        age(shard, 4, hours=25)

        dropped = moto_streams.trim(shard, moto_streams.AWS_RETENTION_SECONDS)
        after_trim = streams.get_records(ShardIterator=iterator(streams, arn))["Records"]
        # a consumer whose position was trimmed away reads on from the oldest record kept
        lagging = streams.get_records(ShardIterator=iterator(streams, arn, before[1]["dynamodb"]["SequenceNumber"]))
        client.put_item(TableName=TABLE, Item={"id": {"S": "new"}})
        latest = streams.get_records(ShardIterator=iterator(streams, arn, before[-1]["dynamodb"]["SequenceNumber"]))

    assert dropped == 4
    sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in before]
    assert [r["dynamodb"]["SequenceNumber"] for r in after_trim] == sequence_numbers[4:]
    assert lagging["Records"] == after_trim
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in latest["Records"]] == ["new"]


def test_a_write_trims_the_stream_so_it_stays_bounded() -> None:
    with fixes(moto_streams.expire_stream_data), mock_aws():
        client, _, _ = a_streamed_table()
        shard: Any = dynamodb_backends[ACCOUNT][REGION].get_table(TABLE).stream_shard
        for n in range(50):
            client.put_item(TableName=TABLE, Item={"id": {"S": f"e{n}"}})
        age(shard, 50, hours=25)
        shard._trimmed_at = 0.0  # the last trim was long ago

        client.put_item(TableName=TABLE, Item={"id": {"S": "now"}})

        assert [r.record["dynamodb"]["Keys"]["id"]["S"] for r in shard.items] == ["now"]


def test_shard_iterators_expire_after_fifteen_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    with fixes(moto_streams.expire_stream_data), mock_aws():
        _, streams, arn = a_streamed_table()
        backend = dynamodbstreams_backends[ACCOUNT][REGION]
        old = iterator(streams, arn)
        clock = moto_streams.time.monotonic() + moto_streams.ITERATOR_SECONDS + 1
        monkeypatch.setattr(moto_streams.time, "monotonic", lambda: clock)

        fresh = iterator(streams, arn)

        assert old not in backend.shard_iterators
        assert fresh in backend.shard_iterators


def test_the_retention_is_a_strategy_day_but_never_under_fifteen_real_minutes() -> None:
    assert stream_retention_seconds(86400) == 24 * 3600
    assert stream_retention_seconds(3600) == 3600
    assert stream_retention_seconds(0.5) == 15 * 60
