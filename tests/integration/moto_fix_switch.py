"""Turn the local stack's moto fixes on for one test and off again, so a test can compare with moto as shipped."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from moto import backends
from moto.core import responses
from moto.core.common_models import BaseModel
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import boto_client, json_path

from infra.local.moto_fixes import install_moto_fixes

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Everything the fixes replace an attribute of.
PATCHED = (BaseModel, DynamoDBBackend, Table, StreamShard, DynamoHandler, DynamoDBStreamsBackend, ShardIterator,
           AmazonStateLanguageParser, json_path, result_path, boto_client, backends, responses)  # fmt: skip


@contextmanager
def fixes(install: Callable[[], None] = install_moto_fixes) -> Iterator[None]:
    saved: list[dict[str, Any]] = [dict(vars(target)) for target in PATCHED]
    install()
    try:
        yield
    finally:
        for target, before in zip(PATCHED, saved, strict=True):
            for name, value in before.items():
                if vars(target).get(name) is not value:
                    setattr(target, name, value)


def both(scenario: Callable[[], Any], install: Callable[[], None] = install_moto_fixes) -> tuple[Any, Any]:
    """The scenario's outcome on moto as shipped, then with the fixes (each in a fresh mock_aws)."""
    from moto import mock_aws

    with mock_aws():
        shipped = scenario()
    with fixes(install), mock_aws():
        fixed = scenario()
    return shipped, fixed
