"""Dispatch moto's Lambda invocations to the app's functions, in this process.

moto runs no Lambda code without Docker. Its simple backend is patched so that an invoke of
"mahnwerk-<stage>-send_email" calls chalicelib.workflow_tasks.send_email(event, context); an
exception becomes a function error with its class name as errorType, exactly like Lambda, so
the state machine's Retry and Catch see "TransientError".
"""

from __future__ import annotations

import json
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend

from chalicelib.resources import WORKFLOW_FUNCTIONS

Handler = Callable[[dict[str, Any], Any], Any]
# Tests hook in here to act between steps (e.g. pay while a contact step runs) or to inject failures.
BeforeInvoke = Callable[[str, dict[str, Any]], None]


@dataclass
class FakeContext:
    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


class Dispatcher:
    def __init__(self) -> None:
        self.before_invoke: list[BeforeInvoke] = []
        self.invocations: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    @staticmethod
    def handlers() -> dict[str, Handler]:
        from chalicelib import workflow_tasks

        return {name: getattr(workflow_tasks, name) for name in WORKFLOW_FUNCTIONS.values()}

    def invoke(self, function_name: str, body: Any, response_headers: dict[str, str]) -> bytes:
        name = function_name.rsplit(":", 1)[-1].rsplit("-", 1)[-1]
        event = json.loads(body) if body else {}
        with self._lock:
            self.invocations.append((name, event))
        try:
            for hook in list(self.before_invoke):
                hook(name, event)
            result = self.handlers()[name](event, FakeContext(function_name, str(uuid.uuid4())))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a Lambda function error
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": traceback.format_exc()}
            return json.dumps(error).encode()
        return json.dumps(result).encode()


dispatcher = Dispatcher()


def install() -> Dispatcher:
    """Route every Lambda invoke through the dispatcher (idempotent)."""

    def invoke(
        self: LambdaSimpleBackend, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        return dispatcher.invoke(function_name, body, response_headers)

    LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
    return dispatcher
