"""Harness for the workflow and integration tiers: moto with the real ASL executing, Lambdas in-process."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.resources import QUEUES, Names
from infra.local import lambdas
from infra.local.event_sources import EventSources, QueueSource
from infra.local.moto_fixes import serialize_dynamodb
from infra.local.provision import provision
from infra.local.seed import seed
from tests.factories import claim_request
from tests.fake_agency import FakeAgency

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DAY_SECONDS = 0.2  # the 31-day ladder runs in about 8 real seconds; stages stay over a second apart
REGION = "eu-central-1"
ACCOUNT = "123456789012"


@dataclass
class Harness:
    client: Client
    app: bootstrap.Container
    dispatcher: lambdas.Dispatcher
    agency: FakeAgency
    keys: dict[str, str]
    sources: EventSources | None = None
    notice_source: QueueSource | None = None

    def headers(self, tenant: str = "demo") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant]}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any], tenant: str = "demo", **headers: str) -> Any:
        return self.client.http.post(path, headers={**self.headers(tenant), **headers}, body=json.dumps(body))

    def get(self, path: str, tenant: str = "demo") -> Any:
        return self.client.http.get(path, headers=self.headers(tenant))

    def create_claim(self, **overrides: Any) -> dict[str, Any]:
        response = self.post("/v1/claims", claim_request(**overrides))
        assert response.status_code == 201, response.body
        return dict(response.json_body)

    def execution(self, claim_id: str) -> dict[str, Any]:
        arn = self.app.settings.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{claim_id}"
        return dict(boto3.client("stepfunctions").describe_execution(executionArn=arn))

    def history(self, claim_id: str) -> list[dict[str, Any]]:
        arn = self.execution(claim_id)["executionArn"]
        return list(boto3.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"])

    def entered_states(self, claim_id: str) -> list[str]:
        return [
            e["stateEnteredEventDetails"]["name"] for e in self.history(claim_id) if "stateEnteredEventDetails" in e
        ]

    def wait_until_finished(self, claim_id: str, timeout: float = 120.0) -> str:
        return wait_for(lambda: _finished(self.execution(claim_id)["status"]), timeout)

    def outbox(self, claim_id: str) -> list[dict[str, Any]]:
        """The ladder's messages; notices (confirmations, thanks) are in `notices`."""
        return [m for m in self.app.outbox.list(claim_id) if not m["stage"].startswith("notice:")]

    def notices(self, claim_id: str) -> list[str]:
        """The notices sent so far, those that waited on the `notices` queue for the contact window included."""
        self.deliver_notices()
        return [
            m["stage"].removeprefix("notice:")
            for m in self.app.outbox.list(claim_id)
            if m["stage"].startswith("notice:")
        ]

    def deliver_notices(self) -> int:
        """Hand what waits on the `notices` queue to its consumer now (the background consumer does so too)."""
        if self.notice_source is None:
            self.notice_source = notice_source(self.app.settings.names)
        handled = 0
        while polled := self.notice_source.poll(0):
            handled += polled
        return handled

    def claim(self, claim_id: str, tenant: str = "demo") -> dict[str, Any]:
        return dict(self.get(f"/v1/claims/{claim_id}", tenant).json_body)

    @contextlib.contextmanager
    def held_after_first_message(self, claim_id: str, timeout: float = 120.0) -> Iterator[None]:
        """Hold the claim's execution where it begins to wait for its next stage, once its first message is out.

        What the test does inside lands before that wait, however slowly a loaded machine runs the test: the
        next stage can never go out first. The execution goes on when the block is left.
        """
        reached, release = threading.Event(), threading.Event()

        def hold(name: str, event: dict[str, Any]) -> None:
            if name == "await_event" and event["claim_id"] == claim_id and event.get("planned") == "contact":
                if self.outbox(claim_id) and not reached.is_set():
                    reached.set()
                    release.wait(timeout)

        self.dispatcher.before_invoke.append(hold)
        try:
            assert reached.wait(timeout), f"the first message of {claim_id} did not go out within {timeout} s"
            yield
        finally:
            release.set()
            self.dispatcher.before_invoke.remove(hold)

    def doctor(self, settle: float = 5.0) -> list[str]:
        """What the operator's sweep finds wrong with the demo tenant's claims: nothing, when all is well."""
        from chalicelib.services.doctor import sweep

        app = self.app
        return [f.describe() for f in sweep(["demo"], app.claims, app.workflow, app.clock, settle)]

    def pump_events(self) -> int:
        """Run the stream and queue consumers now, until nothing is pending: event source mappings, synchronously."""
        if self.sources is None:
            self.sources = EventSources(self.app.settings.names)
        return self.sources.pump()


def notice_source(names: Names) -> QueueSource:
    return QueueSource(boto3.session.Session(region_name=REGION), names, next(q for q in QUEUES if q.key == "notices"))


@contextlib.contextmanager
def consuming_notices(names: Names) -> Iterator[None]:
    """Notices that waited for the contact window go out when it opens, as the queue's event source mapping does.

    Only this queue: the tests drive the events stream and the webhooks queue themselves (Harness.pump_events).
    """
    source, stop = notice_source(names), threading.Event()

    def run() -> None:
        while not stop.is_set():
            if not source.poll(0):
                stop.wait(0.02)

    thread = threading.Thread(target=run, name="notices-consumer", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def _finished(status: str) -> str | None:
    return status if status != "RUNNING" else None


def without_notices(view: dict[str, Any]) -> dict[str, Any]:
    """A claim's view without its notices' events: a notice waiting on the queue for the debtor's morning (the
    thank-you, say) adds them whenever it goes, which is not the doing of the request a test compares across."""
    timeline = [e for e in view["timeline"] if not str(e.get("stage", "")).startswith("notice:")]
    return {**view, "timeline": timeline}


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture
def harness(monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    monkeypatch.setenv("DAY_SECONDS", str(DAY_SECONDS))
    monkeypatch.setenv("CLOCK_EPOCH", datetime.now(UTC).isoformat())
    monkeypatch.setenv("MAHNWERK_ACCOUNT", ACCOUNT)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    config = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
    with mock_aws(config=config):  # type: ignore[call-overload]
        dispatcher = lambdas.install()
        serialize_dynamodb()  # the interpreter's thread and the test write DynamoDB at the same time
        agency = FakeAgency()
        app = bootstrap.reset({"agency": agency})
        provision(boto3.session.Session(region_name=REGION), Names("local", REGION, ACCOUNT), app.settings.sender_email)
        keys = seed(app.tenants)
        import app as chalice_app

        with Client(chalice_app.app, stage_name="local") as client, consuming_notices(app.settings.names):
            yield Harness(client, app, dispatcher, agency, keys)
        dispatcher.before_invoke.clear()
        _drain(app)


def _drain(app: bootstrap.Container) -> None:
    """Stop executions still running so their threads do not outlive the mock."""
    sfn = boto3.client("stepfunctions")
    for execution in sfn.list_executions(stateMachineArn=app.settings.state_machine_arn)["executions"]:
        if execution["status"] == "RUNNING":
            with contextlib.suppress(AttributeError):  # moto cannot stop an execution that is just starting
                sfn.stop_execution(executionArn=execution["executionArn"])
