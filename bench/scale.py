"""The embedded stack under load: how POST /v1/claims latency and the stack's RSS grow with the claims it holds.

Runs `python -m infra.local` in a subprocess, exactly as `make up` does, and posts claims over HTTP from a few
client threads. The latency of the first window of claims is compared with the last window's (a ratio, so the
machine's speed cancels out); RSS is read from /proc for the stack's process.

`python -m bench.scale --claims 2000` runs it alone (for profiling, wrap the stack's pid in py-spy).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from infra.local.stack import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
API_KEY = "local-demo-key"
STARTUP_SECONDS = 300.0
WINDOW = 100  # claims per latency window: the first WINDOW against the last WINDOW
GET_SAMPLES = 50
PAGE_SIZE_BYTES = 4096
LATENCY_BUDGET = 1.5  # issue 9: the p50 at 10,000 stored claims within 1.5x of the p50 at 100


@dataclass(frozen=True)
class ScaleResult:
    claims: int
    first_p50: float
    last_p50: float
    get_p50: float
    rss_start: int  # bytes, after the stack started and before any claim
    rss_end: int

    @property
    def latency_ratio(self) -> float:
        return self.last_p50 / self.first_p50

    @property
    def rss_per_1000_claims(self) -> float:
        return (self.rss_end - self.rss_start) * 1000 / self.claims


@dataclass(frozen=True)
class RunningStack:
    url: str
    process: subprocess.Popen[bytes]

    def rss(self) -> int:
        """Resident set size in bytes, from /proc (Linux)."""
        fields = Path(f"/proc/{self.process.pid}/statm").read_text().split()
        return int(fields[1]) * PAGE_SIZE_BYTES


@contextmanager
def running_stack(day_seconds: float = 86400.0) -> Iterator[RunningStack]:
    port = free_port()
    command = [sys.executable, "-m", "infra.local", "--port", str(port), "--day-seconds", str(day_seconds)]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack = RunningStack(f"http://127.0.0.1:{port}", process)
    try:
        _await_healthy(stack)
        yield stack
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _await_healthy(stack: RunningStack) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and stack.process.poll() is None:
        try:
            if requests.get(f"{stack.url}/_local/clock", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the local stack at {stack.url} did not answer (exit code {stack.process.poll()})")


def claim_body(n: int) -> dict[str, Any]:
    """A claim due in 60 days: with DAY_SECONDS=86400 its execution only waits, so the API is what is measured."""
    debtor = {"name": "Erika Mustermann", "email": f"erika{n}@example.com", "phone": "+4915112345678",
              "language": "de", "kind": "consumer", "country": "DE"}  # fmt: skip
    due = (date.today() + timedelta(days=60)).isoformat()
    return {"external_id": f"BENCH-{n}", "debtor": debtor, "amount": 1000 + n, "currency": "EUR", "due_date": due}


def post_claims(url: str, first: int, count: int, concurrency: int) -> tuple[list[float], list[str]]:
    """Latency of each POST, in the order the claims were numbered, and the created claims' ids."""
    latencies = [0.0] * count
    ids = [""] * count
    local = threading.local()

    def post(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers["Authorization"] = f"Bearer {API_KEY}"
        started = time.perf_counter()
        response = session.post(f"{url}/v1/claims", json=claim_body(first + i), timeout=120)
        latencies[i] = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/claims answered {response.status_code}: {response.text[:300]}")
        ids[i] = str(response.json()["id"])

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(post, range(count)))
    return latencies, ids


def get_p50(url: str, claim_ids: list[str]) -> float:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {API_KEY}"
    latencies = []
    for claim_id in claim_ids:
        started = time.perf_counter()
        session.get(f"{url}/v1/claims/{claim_id}", timeout=60).raise_for_status()
        latencies.append(time.perf_counter() - started)
    return statistics.median(latencies)


def measure(claims: int, concurrency: int = 4, day_seconds: float = 86400.0, profile: str = "") -> ScaleResult:
    if claims < 2 * WINDOW:
        raise ValueError(f"at least {2 * WINDOW} claims: the first and the last {WINDOW} are compared")
    with running_stack(day_seconds) as stack:
        rss_start = stack.rss()
        with sampled(stack, profile):
            latencies, ids = post_claims(stack.url, 0, claims, concurrency)
        rss_end = stack.rss()
        step = max(1, len(ids) // GET_SAMPLES)
        get = get_p50(stack.url, ids[::step][:GET_SAMPLES])
    return ScaleResult(
        claims=claims,
        first_p50=statistics.median(latencies[:WINDOW]),
        last_p50=statistics.median(latencies[-WINDOW:]),
        get_p50=get,
        rss_start=rss_start,
        rss_end=rss_end,
    )


@contextmanager
def sampled(stack: RunningStack, output: str) -> Iterator[None]:
    """py-spy (requirements-dev) samples the stack's threads that hold the GIL while the claims are posted."""
    if not output:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--gil", "--nonblocking", "--format", "raw", "-o", output]
    process = subprocess.Popen([*command, "--pid", str(stack.process.pid)], stdout=subprocess.DEVNULL)
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
        process.wait(timeout=60)


def report(result: ScaleResult) -> dict[str, str]:
    mib = 1024 * 1024
    return {
        f"POST /v1/claims p50, last {WINDOW} / first {WINDOW} of {result.claims}": (
            f"{result.latency_ratio:.2f}x  (budget {LATENCY_BUDGET}x; "
            f"{result.last_p50 * 1000:.1f} / {result.first_p50 * 1000:.1f} ms)"
        ),
        f"GET /v1/claims/{{id}} p50 at {result.claims} claims": f"{result.get_p50 * 1000:.1f} ms",
        "stack RSS per 1,000 stored claims": (
            f"{result.rss_per_1000_claims / mib:.0f} MiB  "
            f"({result.rss_start / mib:.0f} MiB at start, {result.rss_end / mib:.0f} MiB at the end)"
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--day-seconds", type=float, default=86400.0)
    parser.add_argument("--profile", default="", help="write py-spy's GIL samples (raw, collapsed stacks) here")
    args = parser.parse_args()
    print_lines(report(measure(args.claims, args.concurrency, args.day_seconds, args.profile)))
    return 0


def print_lines(lines: dict[str, str]) -> None:
    """One figure a line, the names aligned: the shape of `make bench`'s output."""
    width = max(map(len, lines))
    for name, value in lines.items():
        sys.stdout.write(f"{name:{width}}  {value}\n")


if __name__ == "__main__":
    sys.exit(main())
