"""Create Mahnwerk's resources in moto from the shared description in chalicelib.resources."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from chalicelib.asl import render_asl
from chalicelib.resources import ASL_FILE, QUEUES, TABLES, WORKFLOW_FUNCTIONS, Names, Queue, Table, asl_substitutions

LAMBDA_ROLE = "mahnwerk-local-lambda"
STATES_ROLE = "mahnwerk-local-states"


def provision(session: Any, names: Names, sender_email: str) -> str:
    """Tables, bucket, sender identity, Lambda functions and the state machine; returns its ARN."""
    dynamodb = session.client("dynamodb")
    for table in TABLES:
        create_table(dynamodb, names.table(table.key), table)
    session.client("s3").create_bucket(
        Bucket=names.letters_bucket, CreateBucketConfiguration={"LocationConstraint": names.region}
    )
    session.client("sesv2").create_email_identity(EmailIdentity=sender_email)
    sqs = session.client("sqs")
    queue_arns = {queue.key: create_queue(sqs, names, queue) for queue in QUEUES}
    statements_bucket(session.client("s3"), names, queue_arns["statements"])
    iam = session.client("iam")
    lambda_role = _role(iam, LAMBDA_ROLE, "lambda.amazonaws.com")
    states_role = _role(iam, STATES_ROLE, "states.amazonaws.com")
    lambdas = session.client("lambda")
    for function in WORKFLOW_FUNCTIONS.values():
        lambdas.create_function(
            FunctionName=names.function(function),
            Runtime="python3.12",
            Role=lambda_role,
            Handler=f"app.{function}",
            Code={"ZipFile": _placeholder_zip()},
        )
    definition = render_asl(ASL_FILE, asl_substitutions(names.function_arn))
    machine = session.client("stepfunctions").create_state_machine(
        name=names.state_machine, definition=definition, roleArn=states_role, type="STANDARD"
    )
    return str(machine["stateMachineArn"])


def create_table(client: Any, name: str, table: Table) -> None:
    keys = [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
    if table.range_key:
        keys.append({"AttributeName": table.range_key, "KeyType": "RANGE"})
    spec: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in table.attribute_names()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.indexes:
        spec["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [{"AttributeName": index.hash_key, "KeyType": "HASH"}]
                + ([{"AttributeName": index.range_key, "KeyType": "RANGE"}] if index.range_key else []),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    if table.stream:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    client.create_table(**spec)
    if table.ttl_attribute:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
        )


def create_queue(client: Any, names: Names, queue: Queue) -> str:
    """The queue and its dead-letter queue (both FIFO for a FIFO queue); returns the queue's ARN."""
    fifo = {"FifoQueue": "true"} if queue.fifo else {}
    dlq_url = client.create_queue(QueueName=names.dead_letter_queue(queue.key), Attributes=fifo)["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
    attributes = {"VisibilityTimeout": str(queue.visibility_timeout), "RedrivePolicy": json.dumps(redrive), **fifo}
    url = client.create_queue(QueueName=names.queue(queue.key), Attributes=attributes)["QueueUrl"]
    return str(client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def statements_bucket(client: Any, names: Names, queue_arn: str) -> None:
    """Uploaded bank statements notify the statements queue, as in the deployed stack."""
    client.create_bucket(Bucket=names.statements_bucket, CreateBucketConfiguration={"LocationConstraint": names.region})
    client.put_bucket_notification_configuration(
        Bucket=names.statements_bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )


def _role(iam: Any, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def _placeholder_zip() -> bytes:
    """moto needs a code package; the dispatcher runs the real code in-process instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "# dispatched in-process by infra.local.lambdas\n")
    return buffer.getvalue()
