"""Each invocation's log lines carry its own ids only: nothing an earlier invocation appended leaks into them.

A warm Lambda keeps the logger between invocations (the local stack runs every function in one process), so a
key appended for one claim stayed on every later line, naming the wrong claim or tenant.
"""

from __future__ import annotations

import io
import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from chalice.test import Client

from chalicelib import bootstrap, statement_tasks, webhook_tasks
from chalicelib.domain.errors import TransientError
from chalicelib.domain.webhook_delivery import DeliveryMessage
from chalicelib.observability import logger
from chalicelib.workflow_tasks import task

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    Logged = Callable[[], list[dict[str, Any]]]

pytestmark = pytest.mark.unit

LEAKED = {"claim_id": "01LEAKEDCLAIM", "tenant_id": "leaked-tenant", "delivery_id": "dlv_leaked"}


@pytest.fixture
def logged() -> Iterator[Logged]:
    """The JSON lines the app's logger wrote so far, at INFO and above, read back as objects."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    level = logger.log_level
    logger.addHandler(handler)
    logger.setLevel("INFO")
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.handlers.remove(handler)
    logger.setLevel(level)
    logger.clear_state()
    bootstrap.reset()


def an_earlier_invocation_appended_its_keys() -> None:
    logger.append_keys(**LEAKED)


def leaked(line: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in line.items() if LEAKED.get(k) == v}


@task
def probe(event: dict[str, Any]) -> dict[str, str]:
    logger.warning("probe ran")
    return {}


def test_a_workflow_task_logs_its_own_claim_and_nothing_else(logged: Logged) -> None:
    an_earlier_invocation_appended_its_keys()

    probe({"claim_id": "01MINE", "tenant_id": "mine"}, None)
    probe({"claim_id": "01NEXT"}, None)

    first, second = logged()
    assert (first["claim_id"], first["tenant_id"], first["task"]) == ("01MINE", "mine", "probe")
    assert "delivery_id" not in first
    assert second["claim_id"] == "01NEXT"
    assert "tenant_id" not in second


class FailingWebhooks:
    def deliver(self, message: DeliveryMessage) -> None:
        raise RuntimeError("receiver exploded")

    def publish(self, events: list[Any]) -> int:
        return 0


def test_a_webhook_record_s_ids_stay_on_its_own_lines(logged: Logged) -> None:
    bootstrap.reset({"outbound_webhooks": FailingWebhooks()})
    an_earlier_invocation_appended_its_keys()
    message = DeliveryMessage("t1", "dlv_1", 0, 0, 0.0, {})
    batch = {"Records": [{"messageId": "m1", "body": message.to_json()}, {"messageId": "m2", "body": "{"}]}

    webhook_tasks.deliver_webhooks(batch, None)
    webhook_tasks.deliver_webhooks({"Records": [{"messageId": "m3", "body": "{"}]}, None)
    webhook_tasks.publish_events({"Records": []}, None)

    crashed, unreadable, next_invocation, published = logged()
    assert (crashed["tenant_id"], crashed["delivery_id"]) == ("t1", "dlv_1")
    for line in (unreadable, next_invocation, published):
        assert "tenant_id" not in line and "delivery_id" not in line and "claim_id" not in line, line


def test_a_statement_import_starts_without_an_earlier_invocation_s_keys(
    logged: Logged,
) -> None:
    bootstrap.reset()
    an_earlier_invocation_appended_its_keys()

    statement_tasks.import_statements({"Records": [{"messageId": "m1", "body": "not a notification"}]}, None)

    (refused,) = logged()
    assert refused["message"] == "statement file not imported"
    assert leaked(refused) == {}


class BusyTenants:
    def by_api_key_hash(self, digest: str) -> None:
        raise TransientError("DynamoDB is throttling")


def test_an_api_request_starts_without_an_earlier_invocation_s_keys(logged: Logged) -> None:
    bootstrap.reset({"tenants": BusyTenants()})
    an_earlier_invocation_appended_its_keys()
    import app as chalice_app

    with Client(chalice_app.app, stage_name="local") as client:
        response = client.http.get("/v1/claims", headers={"Authorization": "Bearer some-key"})

    assert response.status_code == 503
    (busy,) = logged()
    assert busy["message"] == "dependency unavailable"
    assert leaked(busy) == {}
