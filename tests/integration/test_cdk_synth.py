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
from chalicelib.resources import ASL_FILE, TABLES, WORKFLOW_FUNCTIONS, Names, Table

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
    """The dev stack, synthesized once by infra/cdk/app.py: seconds, minutes when Chalice's dependency cache is cold.

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
        [sys.executable, str(PROJECT_ROOT / "infra" / "cdk" / "app.py"), "-c", "stage=dev"],
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


def test_letters_bucket_is_private_encrypted_versioned_and_tls_only(template: Template) -> None:
    properties = only(template.find_resources("AWS::S3::Bucket"))

    assert flatten(properties["BucketName"]) == "mahnwerk-dev-letters-<AWS::AccountId>"
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [encryption] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    statements = only(template.find_resources("AWS::S3::BucketPolicy"))["PolicyDocument"]["Statement"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in [
        s.get("Condition") for s in statements if s["Effect"] == "Deny"
    ]


def test_api_handler_and_every_workflow_function_are_deployed_with_their_settings(template: Template) -> None:
    deployed = functions(template)

    for logical_id in ["APIHandler", *WORKFLOW_LOGICAL_IDS.values()]:
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
    } <= actions


def test_api_url_state_machine_and_bucket_are_stack_outputs(template: Template) -> None:
    outputs = template.to_json()["Outputs"]

    assert {"EndpointURL", "StateMachineArn", "LettersBucketName"} <= set(outputs)


def test_deployed_api_has_no_local_only_routes(template: Template) -> None:
    paths = only(template.find_resources("AWS::Serverless::Api"))["DefinitionBody"]["paths"]

    assert "/v1/claims" in paths
    assert not [path for path in paths if path.startswith("/_local")]
