"""moto's registry of model objects lists the live ones, and lets go of the rest."""

from __future__ import annotations

import gc

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item
from moto.s3.models import FakeKey

from infra.local.moto_instance_tracking import track_live_instances_only
from tests.integration.adapters import REGION
from tests.integration.moto_fix_switch import fixes

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]


def live(model: type) -> int:
    gc.collect()
    return len(list(model.instances_tracked))  # type: ignore[attr-defined]


def test_item_versions_that_are_gone_are_no_longer_held() -> None:
    with fixes(track_live_instances_only), mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        )  # fmt: skip
        for n in range(100):
            client.put_item(TableName="t", Item={"k": {"S": "same"}, "n": {"N": str(n)}})
            same = {":k": {"S": "same"}}
            client.query(TableName="t", KeyConditionExpression="k = :k", ExpressionAttributeValues=same)

        assert live(Item) == 1, "only the item stored now"


def test_s3_keys_stay_listed_while_they_exist_so_that_a_reset_still_closes_them() -> None:
    with fixes(track_live_instances_only), mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="letters", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket="letters", Key="letter.pdf", Body=b"%PDF")
        keys = [key for key in FakeKey.instances_tracked if key.name == "letter.pdf"]  # type: ignore[attr-defined]

        assert len(keys) == 1
        assert s3.get_object(Bucket="letters", Key="letter.pdf")["Body"].read() == b"%PDF"
    assert keys[0]._value_buffer.closed, "moto's reset found the key and closed its file"
