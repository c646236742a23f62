"""`python -m infra.local` in a subprocess, used over HTTP like `make up`: the e2e and browser tiers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests

from infra.local.stack import free_port
from tests.factories import claim_request

if TYPE_CHECKING:
    from collections.abc import Iterator

DAY_SECONDS = 0.5  # the value the checks use with `make up`
STARTUP_SECONDS = 300.0  # a loaded two-core machine starts the stack in well under a minute; CI may be slower still
STOP_SECONDS = 30.0


@dataclass
class LocalApi:
    url: str
    moto_url: str
    output: deque[str] = field(default_factory=lambda: deque(maxlen=500))  # the stack's last lines of output

    def session(self, key: str = "local-demo-key") -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        return session

    def today(self) -> str:
        return str(requests.get(f"{self.url}/_local/clock", timeout=5).json()["today"])

    def create_claim(self, session: requests.Session, **overrides: Any) -> dict[str, Any]:
        body = claim_request(**{"due_date": self.today(), **overrides})
        response = session.post(f"{self.url}/v1/claims", json=body, timeout=30)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def claim(self, session: requests.Session, claim_id: str) -> dict[str, Any]:
        return dict(session.get(f"{self.url}/v1/claims/{claim_id}", timeout=30).json())

    def executions(self, claim_id: str) -> dict[str, str]:
        """Every execution the claim has had, by name: `<claim>`, `-g<n>`, `-r<n>`."""
        sfn = self.sfn()
        machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=machine)
        names = (e for page in pages for e in page["executions"])
        return {e["name"]: e["status"] for e in names if e["name"].split("-")[0] == claim_id}

    def doctor(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The operator's sweep (python -m chalicelib.doctor) against this stack, as an operator runs it."""
        command = [sys.executable, "-m", "chalicelib.doctor", "--stage", "local", "--endpoint-url", self.moto_url]
        return subprocess.run([*command, *args], capture_output=True, text=True, timeout=600, check=False)

    def outbox(self, claim_id: str) -> list[dict[str, Any]]:
        """The ladder's messages; notices (confirmations, thanks) are in `notices`."""
        return [m for m in self._all(claim_id) if not m["stage"].startswith("notice:")]

    def notices(self, claim_id: str) -> list[str]:
        return [m["stage"].removeprefix("notice:") for m in self._all(claim_id) if m["stage"].startswith("notice:")]

    def _all(self, claim_id: str) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_local/outbox", params={"claim_id": claim_id}, timeout=5).json()["items"])

    def sfn(self) -> Any:
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.moto_url,
            region_name="eu-central-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


@pytest.fixture(scope="session")
def local_api() -> Iterator[LocalApi]:
    with running_stack(DAY_SECONDS) as api:
        yield api


@contextmanager
def running_stack(day_seconds: float) -> Iterator[LocalApi]:
    """A stack of its own, for a tier whose load or timing must not touch the shared one."""
    port, moto_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "infra.local", "--port", str(port), "--day-seconds", str(day_seconds)]
    process = subprocess.Popen(
        [*command, "--moto-port", str(moto_port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    api = LocalApi(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}")
    # Read the stack's output all along: a full pipe would block its logging, and the last lines explain a 500
    # or a start that never finished.
    reader = threading.Thread(target=api.output.extend, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        _await_healthy(api, process, reader)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _await_healthy(api: LocalApi, process: subprocess.Popen[str], reader: threading.Thread) -> None:
    """Until the API answers: it serves only once moto runs and the resources and tenants are in place.

    A loaded machine takes its time to start moto and import the app, so the deadline is minutes; a stack that
    exits, or never answers, fails with its own output.
    """
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if requests.get(f"{api.url}/_local/clock", timeout=5).status_code == HTTPStatus.OK:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    process.kill()
    process.wait()
    reader.join(timeout=10)  # the rest of its output
    state = f"exited with {process.returncode}" if process.returncode else f"gave no answer in {STARTUP_SECONDS} s"
    raise RuntimeError(f"the local stack {state}; its output:\n" + "".join(api.output))
