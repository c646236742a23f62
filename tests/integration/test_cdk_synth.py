"""The CDK stack synthesizes without credentials and deploys exactly what chalicelib.resources describes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from chalice.utils import to_cfn_resource_name

from chalicelib.asl import PROJECT_ROOT
from chalicelib.resources import (
    API_THROTTLING,
    ASL_FILE,
    EVENT_FUNCTIONS,
    QUEUES,
    STREAM_CONSUMERS,
    TABLES,
    WORKFLOW_FUNCTIONS,
    Names,
    Queue,
    StreamConsumer,
    Table,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk.assertions import Template

pytestmark = pytest.mark.synth

NAMES = Names("dev")
WORKFLOW_LOGICAL_IDS = {token: to_cfn_resource_name(function) for token, function in WORKFLOW_FUNCTIONS.items()}
SOURCE_ASL = json.loads((PROJECT_ROOT / ASL_FILE).read_text())
SECRET_ENVIRONMENT = ("AGENCY_SECRET_ARN", "PAY_TOKEN_SECRET_ARN")
SYNTH_TIMEOUT_SECONDS = 900  # a cold cache downloads and builds the dependency layer


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The dev stack, synthesized once by infra/cdk/app.py: seconds, minutes when Chalice's dependency cache is cold."""
    return synthesize(tmp_path_factory)


def synthesize(tmp_path_factory: pytest.TempPathFactory, *context: str) -> Template:
    """`python infra/cdk/app.py -c stage=dev` plus `context` (more -c pairs), and the template it wrote.

    In a child process because chalice.cdk packages the app by importing "app": in this process other tests have
    imported it for the local stage, and its blueprints cannot be registered on a second app.
    """
    workdir = tmp_path_factory.mktemp("synth")  # chalice.out lands in the working directory
    environment = os.environ | {
        "AWS_DEFAULT_REGION": "eu-central-1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_OUTDIR": str(workdir / "cdk.out"),
    }
    synth = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "infra" / "cdk" / "app.py"), "-c", "stage=dev", *context],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_SECONDS,
        check=False,
    )
    assert synth.returncode == 0, synth.stderr
    with pytest.MonkeyPatch.context() as env:
        # Before the import, which starts jsii's node process here too.
        env.setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
        from aws_cdk.assertions import Template

        return Template.from_json(json.loads((workdir / "cdk.out" / "Mahnwerk-dev.template.json").read_text()))


def flatten(value: Any) -> str:
    """A CloudFormation string as text, each Fn::GetAtt shown as <LogicalId.Attribute> and each Ref as <Name>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(flatten(part) for part in parts)
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    if "Ref" in value:
        return "<{}>".format(value["Ref"])
    raise AssertionError(f"unexpected intrinsic {value}")


def key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def only(resources: Mapping[str, Any]) -> Any:
    assert len(resources) == 1, f"expected one resource, got {sorted(resources)}"
    return next(iter(resources.values()))["Properties"]


def state_machine_definition(template: Template) -> str:
    return flatten(only(template.find_resources("AWS::StepFunctions::StateMachine"))["DefinitionString"])


def functions(template: Template) -> Mapping[str, Any]:
    return template.find_resources("AWS::Serverless::Function")


def app_role_actions(template: Template) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if "DefaultRole" in json.dumps(policy["Properties"]["Roles"]):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


def test_exactly_the_shared_tables_are_deployed(template: Template) -> None:
    deployed = {table["Properties"]["TableName"] for table in template.find_resources("AWS::DynamoDB::Table").values()}

    assert deployed == {NAMES.table(table.key) for table in TABLES}


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.key)
def test_each_table_has_its_keys_indexes_and_point_in_time_recovery(template: Template, table: Table) -> None:
    [properties] = [
        resource["Properties"]
        for resource in template.find_resources("AWS::DynamoDB::Table").values()
        if resource["Properties"]["TableName"] == NAMES.table(table.key)
    ]

    assert properties["KeySchema"] == key_schema(table.hash_key, table.range_key)
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    indexes = {index["IndexName"]: index for index in properties.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index.name for index in table.indexes}
    for index in table.indexes:
        assert indexes[index.name]["KeySchema"] == key_schema(index.hash_key, index.range_key)
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    expected_ttl = {"AttributeName": table.ttl_attribute, "Enabled": True} if table.ttl_attribute else None
    assert properties.get("TimeToLiveSpecification") == expected_ttl
    expected_stream = {"StreamViewType": "NEW_IMAGE"} if table.stream else None
    assert properties.get("StreamSpecification") == expected_stream


def test_state_machine_is_standard_traced_and_logged_without_execution_data(template: Template) -> None:
    properties = only(template.find_resources("AWS::StepFunctions::StateMachine"))

    assert properties["StateMachineName"] == NAMES.state_machine
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_state_machine_runs_the_shared_definition_with_nothing_left_unresolved(template: Template) -> None:
    definition = state_machine_definition(template)

    assert "FunctionArn}" not in definition
    assert "${" not in definition
    assert set(json.loads(definition)["States"]) == set(SOURCE_ASL["States"])


def test_each_lambda_state_calls_the_chalice_function_its_token_names(template: Template) -> None:
    deployed = json.loads(state_machine_definition(template))["States"]

    for name, state in SOURCE_ASL["States"].items():
        if "Parameters" in state and "FunctionName" in state["Parameters"]:
            token = state["Parameters"]["FunctionName"].removeprefix("${").removesuffix("}")
            expected = f"<{WORKFLOW_LOGICAL_IDS[token]}.Arn>"
            assert deployed[name]["Parameters"]["FunctionName"] == expected, name


def test_state_machine_may_invoke_every_workflow_function(template: Template) -> None:
    [role_policy] = [
        policy["Properties"]["PolicyDocument"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if "DunningRole" in json.dumps(policy["Properties"]["Roles"])
    ]
    invocable = {
        flatten(resource)
        for statement in role_policy["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
        for resource in statement["Resource"]
    }

    assert {f"<{logical_id}.Arn>" for logical_id in WORKFLOW_LOGICAL_IDS.values()} <= invocable


def bucket(template: Template, name: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, properties)] = [
        (logical_id, resource["Properties"])
        for logical_id, resource in template.find_resources("AWS::S3::Bucket").items()
        if flatten(resource["Properties"]["BucketName"]) == f"mahnwerk-dev-{name}-<AWS::AccountId>"
    ]
    return logical_id, properties


def bucket_policy(template: Template, logical_id: str) -> list[dict[str, Any]]:
    [statements] = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in template.find_resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": logical_id}
    ]
    return list(statements)


@pytest.mark.parametrize("name", ["letters", "statements"])
def test_buckets_are_private_encrypted_and_tls_only(template: Template, name: str) -> None:
    logical_id, properties = bucket(template, name)

    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [encryption] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert {"Bool": {"aws:SecureTransport": "false"}} in [
        s.get("Condition") for s in bucket_policy(template, logical_id) if s["Effect"] == "Deny"
    ]


def test_letters_are_versioned_and_statements_expire(template: Template) -> None:
    assert bucket(template, "letters")[1]["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = bucket(template, "statements")[1]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 90


def test_an_uploaded_statement_is_announced_on_the_statements_queue(template: Template) -> None:
    logical_id, _ = bucket(template, "statements")
    [notification] = [
        resource["Properties"]
        for resource in template.find_resources("Custom::S3BucketNotifications").values()
        if resource["Properties"]["BucketName"] == {"Ref": logical_id}
    ]
    [queue_config] = notification["NotificationConfiguration"]["QueueConfigurations"]

    assert queue_config["Events"] == ["s3:ObjectCreated:*"]
    assert flatten(queue_config["QueueArn"]) == f"<{queue_logical_id(template, NAMES.queue('statements'))}.Arn>"


def mapped_function(mapping: dict[str, Any]) -> str:
    """The logical id of the function a mapping invokes: CDK names it by the last part of the function's ARN."""
    selected = mapping["FunctionName"]["Fn::Select"]
    assert selected[0] == 6  # arn:aws:lambda:region:account:function:<name>
    return str(selected[1]["Fn::Split"][1]["Fn::GetAtt"][0])


def queue_logical_id(template: Template, name: str) -> str:
    [logical_id] = [
        logical_id
        for logical_id, resource in template.find_resources("AWS::SQS::Queue").items()
        if resource["Properties"]["QueueName"] == name
    ]
    return logical_id


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.key)
def test_each_queue_parks_what_keeps_failing_in_its_alarmed_dead_letter_queue(template: Template, queue: Queue) -> None:
    queues = template.find_resources("AWS::SQS::Queue")
    live = queues[queue_logical_id(template, NAMES.queue(queue.key))]["Properties"]
    dead_id = queue_logical_id(template, NAMES.dead_letter_queue(queue.key))

    assert live["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_id, "Arn"]},
        "maxReceiveCount": queue.max_receive_count,
    }
    assert live["VisibilityTimeout"] == queue.visibility_timeout
    assert live["SqsManagedSseEnabled"] is True
    alarms = [
        alarm["Properties"]
        for alarm in template.find_resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Dimensions")
        == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_id, "QueueName"]}}]
    ]
    assert [(a["MetricName"], a["Threshold"], a["ComparisonOperator"]) for a in alarms] == [
        ("ApproximateNumberOfMessagesVisible", 0, "GreaterThanThreshold")
    ]


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.key)
def test_each_queue_feeds_its_consumer_reporting_partial_failures(template: Template, queue: Queue) -> None:
    mappings = template.find_resources("AWS::Lambda::EventSourceMapping")
    dead_or_live = queue_logical_id(template, NAMES.queue(queue.key))
    [mapping] = [
        m["Properties"]
        for m in mappings.values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [dead_or_live, "Arn"]}
    ]

    assert mapped_function(mapping) == to_cfn_resource_name(queue.consumer)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == queue.batch_size
    consumer = functions(template)[to_cfn_resource_name(queue.consumer)]["Properties"]
    assert consumer["Timeout"] < queue.visibility_timeout


@pytest.mark.parametrize("stream", STREAM_CONSUMERS, ids=lambda stream: stream.consumer)
def test_the_events_stream_feeds_the_outbound_webhooks_and_the_agency_updates(
    template: Template, stream: StreamConsumer
) -> None:
    mappings = template.find_resources("AWS::Lambda::EventSourceMapping")
    [table_id] = [
        logical_id
        for logical_id, table in template.find_resources("AWS::DynamoDB::Table").items()
        if table["Properties"]["TableName"] == NAMES.table(stream.table)
    ]
    [mapping] = [
        m["Properties"]
        for m in mappings.values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
        and mapped_function(m["Properties"]) == to_cfn_resource_name(stream.consumer)
    ]

    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BisectBatchOnFunctionError"] is True
    assert set(EVENT_FUNCTIONS) == {q.consumer for q in QUEUES} | {s.consumer for s in STREAM_CONSUMERS}


def test_the_agency_queue_and_its_dead_letter_queue_are_fifo_and_keep_updates_for_two_weeks(
    template: Template,
) -> None:
    queues = template.find_resources("AWS::SQS::Queue")
    live = queues[queue_logical_id(template, NAMES.queue("agency"))]["Properties"]
    dead = queues[queue_logical_id(template, NAMES.dead_letter_queue("agency"))]["Properties"]

    assert NAMES.queue("agency") == "mahnwerk-dev-agency.fifo"
    assert (live["FifoQueue"], dead["FifoQueue"]) == (True, True)
    assert live.get("ContentBasedDeduplication") in (None, False)  # the update id deduplicates
    assert live["MessageRetentionPeriod"] == 14 * 86400


def test_api_handler_and_every_workflow_function_are_deployed_with_their_settings(template: Template) -> None:
    deployed = functions(template)

    event_logical_ids = [to_cfn_resource_name(function) for function in EVENT_FUNCTIONS]
    for logical_id in ["APIHandler", *WORKFLOW_LOGICAL_IDS.values(), *event_logical_ids]:
        assert logical_id in deployed
        environment = deployed[logical_id]["Properties"]["Environment"]["Variables"]
        assert flatten(environment["STATE_MACHINE_ARN"]).endswith(f":stateMachine:{NAMES.state_machine}")
        assert environment["MAHNWERK_STAGE"] == "dev"
        assert environment["CHANNEL_MODE"] == "aws"
        assert flatten(environment["LETTERS_BUCKET"]).startswith("<Letters")
        for name in ("MAHNWERK_ACCOUNT", "SENDER_EMAIL", "SMS_ORIGINATION_IDENTITY", "AGENCY_URL", "PUBLIC_BASE_URL"):
            assert environment[name], name


def test_secrets_are_generated_in_aws_and_reach_the_functions_only_by_reference(template: Template) -> None:
    secrets = template.find_resources("AWS::SecretsManager::Secret")

    assert len(secrets) == len(SECRET_ENVIRONMENT)
    for secret in secrets.values():
        assert "GenerateSecretString" in secret["Properties"]
        assert "SecretString" not in secret["Properties"]
    for function in functions(template).values():
        environment = function["Properties"]["Environment"]["Variables"]
        assert "AGENCY_SECRET" not in environment
        assert "PAY_TOKEN_SECRET" not in environment
        for name in SECRET_ENVIRONMENT:
            assert environment[name]["Ref"] in secrets
    assert "local-agency-secret" not in json.dumps(template.to_json())
    assert "local-pay-token-secret" not in json.dumps(template.to_json())


def test_app_role_may_use_the_workflow_channels_and_secrets(template: Template) -> None:
    actions = app_role_actions(template)

    assert {
        "dynamodb:PutItem",
        "dynamodb:Query",
        "s3:PutObject",
        "secretsmanager:GetSecretValue",
        "ses:SendEmail",
        "sms-voice:SendTextMessage",
        "sms-voice:SendVoiceMessage",
        "states:StartExecution",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:SendMessage",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "s3:GetObject*",
    } <= actions


def test_api_url_state_machine_and_bucket_are_stack_outputs(template: Template) -> None:
    outputs = template.to_json()["Outputs"]

    assert {"EndpointURL", "StateMachineArn", "LettersBucketName", "StatementsBucketName"} <= set(outputs)


def test_deployed_api_has_no_local_only_routes(template: Template) -> None:
    paths = only(template.find_resources("AWS::Serverless::Api"))["DefinitionBody"]["paths"]

    assert "/v1/claims" in paths
    assert not [path for path in paths if path.startswith("/_local")]


def alarm_topic(template: Template) -> str:
    [(logical_id, topic)] = template.find_resources("AWS::SNS::Topic").items()
    assert topic["Properties"]["TopicName"] == f"{NAMES.prefix}-alarms"
    return str(logical_id)


def test_every_alarm_notifies_the_operators_topic_when_it_fires_and_when_it_clears(template: Template) -> None:
    topic = alarm_topic(template)
    alarms = template.find_resources("AWS::CloudWatch::Alarm")

    assert len(alarms) >= len(QUEUES) + 1
    for logical_id, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": topic}], logical_id
        assert properties["OKActions"] == [{"Ref": topic}], logical_id


@pytest.mark.parametrize("queue", QUEUES, ids=lambda queue: queue.key)
def test_the_dead_letter_alarm_of_each_queue_calls_the_operators(template: Template, queue: Queue) -> None:
    topic = alarm_topic(template)
    dead_id = queue_logical_id(template, NAMES.dead_letter_queue(queue.key))
    [alarm] = [
        a["Properties"]
        for a in template.find_resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_id, "QueueName"]}}]
    ]

    assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_failed_and_timed_out_executions_raise_an_alarm(template: Template) -> None:
    topic = alarm_topic(template)
    [machine_id] = template.find_resources("AWS::StepFunctions::StateMachine")
    on_machine = {
        a["Properties"]["MetricName"]: a["Properties"]
        for a in template.find_resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == [{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}]
    }

    assert set(on_machine) == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for alarm in on_machine.values():
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_without_an_alarm_email_the_topic_has_no_subscription(template: Template) -> None:
    assert template.find_resources("AWS::SNS::Subscription") == {}


def test_an_alarm_email_from_the_context_subscribes_to_the_topic(tmp_path_factory: pytest.TempPathFactory) -> None:
    with_email = synthesize(tmp_path_factory, "-c", "alarmEmail=ops@example.com")
    topic = alarm_topic(with_email)

    [subscription] = [s["Properties"] for s in with_email.find_resources("AWS::SNS::Subscription").values()]
    assert subscription == {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": topic}}


def test_the_api_stage_is_throttled(template: Template) -> None:
    api = only(template.find_resources("AWS::Serverless::Api"))

    [settings] = api["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == API_THROTTLING.rate
    assert settings["ThrottlingBurstLimit"] == API_THROTTLING.burst
