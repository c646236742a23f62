"""Definitions and JSONPaths parsed once: concurrent executions still get their own, correct results."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from infra.local.moto_stepfunctions_parsing import cache_parsing
from tests.integration.adapters import REGION
from tests.integration.moto_fix_switch import fixes

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("aws_env")]

CONFIG = {"stepfunctions": {"execute_state_machine": True}}
ROLE = "arn:aws:iam::123456789012:role/states"
DEFINITION = {
    "StartAt": "Pick",
    "States": {
        "Pick": {"Type": "Pass", "Parameters": {"claim.$": "$.claim", "first.$": "$.order.amount"},
                 "ResultPath": "$.picked", "Next": "Decide"},
        "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.picked.first", "NumericGreaterThan": 10,
                                                  "Next": "Large"}], "Default": "Small"},
        "Large": {"Type": "Pass", "Result": "large", "ResultPath": "$.size", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "End": True},
    },
}  # fmt: skip


def run_many() -> list[Any]:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(name="m", definition=json.dumps(DEFINITION), roleArn=ROLE)["stateMachineArn"]
    arns = [
        sfn.start_execution(stateMachineArn=machine, name=f"e{n}",
                            input=json.dumps({"claim": f"c{n}", "order": {"amount": n * 3}}))["executionArn"]
        for n in range(8)
    ]  # fmt: skip
    outputs = []
    for arn in arns:
        deadline = time.monotonic() + 60
        while (described := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the execution ended"
            time.sleep(0.05)
        outputs.append((described["status"], json.loads(described.get("output", "null"))))
    return outputs


def test_executions_sharing_one_parsed_definition_each_get_their_own_results_as_without_the_cache() -> None:
    with mock_aws(config=CONFIG):  # type: ignore[call-overload]
        shipped = run_many()
    with fixes(cache_parsing), mock_aws(config=CONFIG):  # type: ignore[call-overload]
        fixed = run_many()
        parsed_once = AmazonStateLanguageParser.parse(json.dumps(DEFINITION))[0]
        assert AmazonStateLanguageParser.parse(json.dumps(DEFINITION))[0] is parsed_once

    assert fixed == shipped
    assert [output["size"] for _, output in fixed] == ["small"] * 4 + ["large"] * 4
