"""`python -m infra.local` in a subprocess, used over HTTP like `make up`: the e2e and browser tiers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import requests

from infra.local.stack import free_port
from tests.factories import claim_request

if TYPE_CHECKING:
    from collections.abc import Iterator

DAY_SECONDS = 0.5  # the value the checks use with `make up`


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
        response = session.post(f"{self.url}/v1/claims", json=body, timeout=10)
        assert response.status_code == 201, response.text
        return dict(response.json())

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
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--day-seconds", str(day_seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    moto_url = _await_ready(process)
    api = LocalApi(f"http://127.0.0.1:{port}", moto_url)
    # Read the stack's output all along: a full pipe would block its logging, and the last lines explain a 500.
    threading.Thread(target=api.output.extend, args=(process.stdout,), daemon=True).start()
    try:
        yield api
    finally:
        process.terminate()
        process.wait(timeout=10)


def _await_ready(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        match = re.search(r"moto \(AWS\):\s+(\S+)", line)
        if match:
            return match.group(1)
    process.kill()
    raise RuntimeError("the local stack did not start:\n" + "".join(lines))
