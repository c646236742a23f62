"""The local stack's queries read one partition; their answers equal moto's full pass, page by page."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.moto_dynamodb_transactions import journal_transactions
from infra.local.moto_index_queries import query_partitions_only
from tests.integration.adapters import REGION
from tests.integration.moto_fix_switch import both

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]

TABLE = "claims"
INDEX = "by_tenant_status"


def install() -> None:
    query_partitions_only()
    journal_transactions()


def a_table() -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"},
                   {"AttributeName": "claim_id", "KeyType": "RANGE"}],  # fmt: skip
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("tenant_id", "claim_id", "status")],
        GlobalSecondaryIndexes=[{"IndexName": INDEX, "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                               {"AttributeName": "claim_id", "KeyType": "RANGE"}]}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    return client


def item(tenant: str, claim: str, status: str | None, amount: int) -> dict[str, Any]:
    attributes = {"tenant_id": {"S": tenant}, "claim_id": {"S": claim}, "amount": {"N": str(amount)}}
    return attributes | ({"status": {"S": status}} if status else {})


def every_answer(client: Any) -> list[Any]:
    """Table and index queries: both directions, pages of 3, a range condition and a filter."""
    answers = []
    shapes: list[dict[str, Any]] = []
    for tenant in ("t0", "t1", "t9"):
        condition = {"KeyConditionExpression": "tenant_id = :h", "ExpressionAttributeValues": {":h": {"S": tenant}}}
        shapes += [condition, {**condition, "ScanIndexForward": False}]
        shapes.append({"KeyConditionExpression": "tenant_id = :h AND claim_id > :r",
                       "ExpressionAttributeValues": {":h": {"S": tenant}, ":r": {"S": "c05"}}})  # fmt: skip
    for status in ("open", "paid", "handed_over", "none"):
        condition = {"IndexName": INDEX, "KeyConditionExpression": "#s = :h",
                     "ExpressionAttributeNames": {"#s": "status"},
                     "ExpressionAttributeValues": {":h": {"S": status}}}  # fmt: skip
        shapes += [condition, {**condition, "ScanIndexForward": False}]
        shapes.append({**condition, "FilterExpression": "amount > :a",
                       "ExpressionAttributeValues": {":h": {"S": status}, ":a": {"N": "5"}}})  # fmt: skip
    for shape in shapes:
        answers.append(client.query(TableName=TABLE, **shape)["Items"])
        answers.append(pages(client, shape))
    return answers


def pages(client: Any, shape: dict[str, Any]) -> list[Any]:
    result: list[Any] = []
    start: dict[str, Any] = {}
    while True:
        page = client.query(TableName=TABLE, Limit=3, **shape, **start)
        result.append(page["Items"])
        if "LastEvaluatedKey" not in page:
            return result
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def writes_and_queries() -> list[Any]:
    client = a_table()
    answers = []
    statuses = ("open", "paid", "handed_over", None)
    for n in range(24):
        client.put_item(TableName=TABLE, Item=item(f"t{n % 3}", f"c{n:02}", statuses[n % 4], n))
    answers.append(every_answer(client))
    # updates that move items between index partitions, remove the index key, and delete
    for n in range(0, 24, 5):
        client.update_item(TableName=TABLE, Key={"tenant_id": {"S": f"t{n % 3}"}, "claim_id": {"S": f"c{n:02}"}},
                           UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                           ExpressionAttributeValues={":s": {"S": "paid"}})  # fmt: skip
    client.update_item(TableName=TABLE, Key={"tenant_id": {"S": "t1"}, "claim_id": {"S": "c01"}},
                       UpdateExpression="REMOVE #s", ExpressionAttributeNames={"#s": "status"})  # fmt: skip
    client.delete_item(TableName=TABLE, Key={"tenant_id": {"S": "t2"}, "claim_id": {"S": "c02"}})
    answers.append(every_answer(client))
    # a transaction that moves one item and is cancelled must leave the index as it was
    move = {"Update": {"TableName": TABLE, "Key": {"tenant_id": {"S": "t0"}, "claim_id": {"S": "c03"}},
                       "UpdateExpression": "SET #s = :s", "ExpressionAttributeNames": {"#s": "status"},
                       "ExpressionAttributeValues": {":s": {"S": "handed_over"}}}}  # fmt: skip
    refused = {"ConditionCheck": {"TableName": TABLE, "Key": {"tenant_id": {"S": "t9"}, "claim_id": {"S": "x"}},
                                  "ConditionExpression": "attribute_exists(claim_id)"}}  # fmt: skip
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[move, refused])
    answers.append(every_answer(client))
    client.transact_write_items(TransactItems=[move])
    answers.append(every_answer(client))
    return answers


def test_table_and_index_queries_answer_exactly_as_moto_through_writes_updates_deletes_and_transactions() -> None:
    shipped, fixed = both(writes_and_queries, install)

    assert fixed == shipped
    assert any(answer for answer in fixed[-1]), "the scenario queried something that exists"


def test_a_query_on_an_unknown_index_is_refused_as_moto_refuses_it() -> None:
    def unknown_index() -> str:
        client = a_table()
        with pytest.raises(ClientError) as refused:
            client.query(TableName=TABLE, IndexName="nope", KeyConditionExpression="tenant_id = :h",
                         ExpressionAttributeValues={":h": {"S": "t0"}})  # fmt: skip
        return str(refused.value)

    shipped, fixed = both(unknown_index, install)

    assert fixed == shipped
