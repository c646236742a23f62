"""`python -m infra.local` in a subprocess, used over HTTP like `make up`: the e2e and browser tiers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
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

    def session(self, key: str = "local-demo-key") -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        return session

    def today(self) -> str:
        return str(requests.get(f"{self.url}/_local/clock", timeout=5).json()["today"])

    def create_claim(self, session: requests.Session, **overrides: Any) -> dict[str, Any]:
        body = claim_request(due_date=self.today(), **overrides)
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
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--day-seconds", str(DAY_SECONDS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    moto_url = _await_ready(process)
    try:
        yield LocalApi(f"http://127.0.0.1:{port}", moto_url)
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
