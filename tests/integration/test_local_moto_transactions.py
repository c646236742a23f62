"""The local stack's TransactWriteItems: moto's answers and outcomes, without copying whole tables."""

from __future__ import annotations

import gc
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models.table import StreamRecord, Table

from infra.local.moto_dynamodb_transactions import journal_transactions
from infra.local.moto_instance_tracking import track_live_instances_only
from tests.integration.adapters import REGION
from tests.integration.moto_fix_switch import both, fixes

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]

CLAIMS = "claims"
# botocore sends stream calls to "<account>.streams-ddb...", which moto does not route (infra/local/event_sources.py)
REGIONAL = Config(account_id_endpoint_mode="disabled")
EVENTS = "events"


def tables() -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=CLAIMS, KeySchema=[{"AttributeName": "claim_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "claim_id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    client.create_table(
        TableName=EVENTS,
        KeySchema=[{"AttributeName": "claim_id", "KeyType": "HASH"}, {"AttributeName": "event_id", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "claim_id", "AttributeType": "S"},
                              {"AttributeName": "event_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )  # fmt: skip
    for n in range(3):
        client.put_item(TableName=CLAIMS, Item={"claim_id": {"S": f"c{n}"}, "balance": {"N": "100"}})
        client.put_item(TableName=EVENTS, Item={"claim_id": {"S": f"c{n}"}, "event_id": {"S": "0"}})
    return client


def contents(client: Any) -> dict[str, list[dict[str, Any]]]:
    return {name: sorted(client.scan(TableName=name)["Items"], key=str) for name in (CLAIMS, EVENTS)}


def stream_images(client: Any) -> list[tuple[str, dict[str, Any]]]:
    streams = boto3.client("dynamodbstreams", region_name=REGION, config=REGIONAL)
    arn = client.describe_table(TableName=EVENTS)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    return [(r["eventName"], r["dynamodb"].get("NewImage", {})) for r in records]


def a_payment(claim: str, condition_balance: str, event: str = "p1") -> list[dict[str, Any]]:
    """Pay 30 on `claim` if its balance is still `condition_balance`, record the event, touch c2 too."""
    return [
        {"Update": {"TableName": CLAIMS, "Key": {"claim_id": {"S": claim}},
                    "UpdateExpression": "SET balance = balance - :paid",
                    "ConditionExpression": "balance = :expected",
                    "ExpressionAttributeValues": {":paid": {"N": "30"}, ":expected": {"N": condition_balance}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"TableName": EVENTS, "Item": {"claim_id": {"S": claim}, "event_id": {"S": event}}}},
        {"Delete": {"TableName": EVENTS, "Key": {"claim_id": {"S": "c2"}, "event_id": {"S": "0"}}}},
        {"ConditionCheck": {"TableName": CLAIMS, "Key": {"claim_id": {"S": "c1"}},
                            "ConditionExpression": "attribute_exists(claim_id)"}},
    ]  # fmt: skip


def outcome(transact: list[dict[str, Any]]) -> Any:
    client = tables()
    try:
        client.transact_write_items(TransactItems=transact)
        error: Any = None
    except ClientError as exc:
        error = (exc.response["Error"]["Code"], exc.response.get("CancellationReasons"))
    return error, contents(client), stream_images(client)


def test_a_successful_transaction_writes_every_item_and_streams_each_as_moto_does() -> None:
    shipped, fixed = both(lambda: outcome(a_payment("c0", "100")), journal_transactions)

    assert fixed == shipped
    error, items, records = fixed
    assert error is None
    assert {"claim_id": {"S": "c0"}, "balance": {"N": "70"}} in items[CLAIMS]
    assert ("INSERT", {"claim_id": {"S": "c0"}, "event_id": {"S": "p1"}}) in records


def test_a_failed_condition_cancels_the_whole_transaction_and_leaves_every_item_and_stream_unchanged() -> None:
    shipped, fixed = both(lambda: outcome(a_payment("c0", "99")), journal_transactions)

    assert fixed == shipped
    error, items, records = fixed
    code, reasons = error
    assert code == "TransactionCanceledException"
    assert reasons[0]["Code"] == "ConditionalCheckFailed"
    assert reasons[0]["Item"] == {"claim_id": {"S": "c0"}, "balance": {"N": "100"}}  # ALL_OLD, as asked
    assert [r["Code"] for r in reasons[1:]] == ["None", "None", "None"]
    with mock_aws():
        assert items == contents(tables()), "nothing of the transaction remains"
    assert [name for name, _ in records] == ["INSERT"] * 3, "the cancelled writes left no stream record"


def test_two_actions_on_one_item_are_refused_as_moto_refuses_them() -> None:
    twice = [*a_payment("c0", "100")[:2], a_payment("c0", "100")[0]]

    shipped, fixed = both(lambda: outcome(twice), journal_transactions)

    assert fixed == shipped
    assert fixed[0][0] == "ValidationException"


def test_an_iterator_taken_before_a_failed_transaction_still_reads_what_is_written_after_it() -> None:
    with fixes(journal_transactions), mock_aws():
        client = tables()
        streams = boto3.client("dynamodbstreams", region_name=REGION, config=REGIONAL)
        arn = client.describe_table(TableName=EVENTS)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=a_payment("c0", "99"))
        client.put_item(TableName=EVENTS, Item={"claim_id": {"S": "c0"}, "event_id": {"S": "after"}})

        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]

    assert [r["dynamodb"]["Keys"]["event_id"]["S"] for r in records] == ["after"]


def test_memory_stays_bounded_over_many_transactions() -> None:
    def install() -> None:
        track_live_instances_only()
        journal_transactions()

    with fixes(install), mock_aws():
        client = tables()
        for n in range(200):
            client.transact_write_items(TransactItems=a_payment("c0", str(100 - 30 * n), event=f"p{n}"))
            client.put_item(TableName=EVENTS, Item={"claim_id": {"S": "c2"}, "event_id": {"S": "0"}})  # again
        gc.collect()
        live_tables = len(list(Table.instances_tracked))  # type: ignore[attr-defined]
        live_records = len(list(StreamRecord.instances_tracked))  # type: ignore[attr-defined]

    assert live_tables == 2, "no copy of a table outlives its transaction"
    assert live_records == 3 + 200 * 3, "one stream record per write that happened, and no copies"
