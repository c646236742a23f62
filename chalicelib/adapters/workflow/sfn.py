"""SfnWorkflowClient: one Standard execution per claim, named after it; task tokens resume waits."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import TransientError
from chalicelib.observability import logger
from chalicelib.services.ports import execution_name

# The token's wait ended already (timed out, or another event resumed it): nothing to resume.
_STALE_TOKEN = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionDoesNotExist"}


class SfnWorkflowClient:
    def __init__(self, state_machine_arn: str, client: Any | None = None) -> None:
        self._state_machine_arn = state_machine_arn
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("stepfunctions")
        return self._client

    def execution_arn(self, claim_id: str, generation: int = 0) -> str:
        return (
            self._state_machine_arn.replace(":stateMachine:", ":execution:")
            + f":{execution_name(claim_id, generation)}"
        )

    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        state = {"claim_id": claim_id, "tenant_id": tenant_id, "generation": generation, "steps": 0}
        try:
            self.client.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=execution_name(claim_id, generation),
                input=json.dumps(state),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise TransientError(f"could not start the execution of {claim_id}") from exc
        except BotoCoreError as exc:
            raise TransientError(f"could not start the execution of {claim_id}") from exc
        return self.execution_arn(claim_id, generation)

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        try:
            self.client.send_task_success(taskToken=task_token, output=json.dumps(event))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _STALE_TOKEN:
                return False
            raise TransientError("could not resume the execution") from exc
        except BotoCoreError as exc:
            raise TransientError("could not resume the execution") from exc
        logger.info("execution resumed", event=event)
        return True

    def status(self, claim_id: str, generation: int = 0) -> str | None:
        try:
            found = self.client.describe_execution(executionArn=self.execution_arn(claim_id, generation))
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise TransientError(f"could not describe the execution of {claim_id}") from exc
        except BotoCoreError as exc:
            raise TransientError(f"could not describe the execution of {claim_id}") from exc
        return str(found["status"])

    def stop(self, claim_id: str, generation: int, cause: str) -> None:
        try:
            self.client.stop_execution(executionArn=self.execution_arn(claim_id, generation), cause=cause)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionDoesNotExist":
                raise TransientError(f"could not stop the execution of {claim_id}") from exc
        except BotoCoreError as exc:
            raise TransientError(f"could not stop the execution of {claim_id}") from exc
