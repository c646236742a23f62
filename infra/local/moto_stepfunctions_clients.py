"""One boto3 client per service for moto's ASL interpreter, not a new one for every task it runs.

moto's interpreter calls `boto_client_for(region, service)` for each Task state, and that builds a
boto3 client from scratch (service model, endpoint resolver, event hooks): 17.5 % of the local stack's
GIL samples once the DynamoDB copies were gone. botocore clients are thread-safe and these carry no
per-call state (fixed dummy credentials, the same endpoint), so one per region, service and endpoint
is shared.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.utils import boto_client

_moto_boto_client_for = boto_client.boto_client_for
_STATE_TASKS = "moto.stepfunctions.parser.asl.component.state.exec.state_task"
# The modules that imported boto_client_for by name (moto 5.2.5): the name is replaced in each.
USERS = (
    f"{_STATE_TASKS}.lambda_eval_utils",
    *(f"{_STATE_TASKS}.service.state_task_service_{s}"
      for s in ("unsupported", "glue", "events", "ecs", "sqs", "sfn", "dynamodb", "batch", "sns", "aws_sdk")),
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval.resource_eval_s3",
    "moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3",
)  # fmt: skip


@functools.lru_cache(maxsize=64)
def _client(region: str, service: str, intercepting: bool, port: int) -> Any:
    return _moto_boto_client_for(region, service)


def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    """moto ignores state_credentials too; the endpoint depends on whether moto intercepts boto calls."""
    return _client(region, service, botocore_stubber.enabled, moto_server_port())


def share_clients() -> None:
    """Install (idempotent)."""
    boto_client.boto_client_for = boto_client_for
    for name in USERS:
        module = importlib.import_module(name)
        if getattr(module, "boto_client_for", None) is _moto_boto_client_for:
            module.boto_client_for = boto_client_for  # type: ignore[attr-defined]
