"""Fixtures of the integration tier: fake credentials and moto for the adapter tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from moto import mock_aws

from tests.integration.adapters import REGION
from tests.integration.receivers import Receiver

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A merchant's webhook endpoint, stopped after the test."""
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()
