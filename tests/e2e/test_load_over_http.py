"""Load against the local stack over HTTP: many clients at once, and many payments racing for one claim.

After each load the operator's doctor (python -m chalicelib.doctor) must find nothing: no live claim without a
running execution, no settled claim with one still running.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.harness import wait_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PARALLEL = 50
# A claim due this far ahead waits about 300 strategy days (150 real seconds at DAY_SECONDS=0.5) for its first
# message: an execution that missed the payment that settled it would still be waiting long after SETTLED_WITHIN.
DUE_IN_DAYS = 300
SETTLED_WITHIN = 60.0
ANSWER_SECONDS = 120.0  # a payment racing 49 others may retry for 20 s; a loaded machine adds its share


def all_at_once(count: int, call: Callable[[int], requests.Response]) -> list[requests.Response]:
    """`count` requests, each on its own new connection, released together."""
    barrier = threading.Barrier(count)

    def one(n: int) -> requests.Response:
        barrier.wait()
        return call(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def amounts() -> list[int]:
    return [100 + n for n in range(PARALLEL)]  # 1.00 € to 1.49 €, 62.25 € in all


def a_claim_far_from_its_first_message(api: LocalApi) -> tuple[requests.Session, dict[str, Any]]:
    session = api.session()
    due = date.fromisoformat(api.today()) + timedelta(days=DUE_IN_DAYS)
    claim = api.create_claim(session, amount=sum(amounts()), due_date=due.isoformat())
    wait_for(lambda: api.executions(claim["id"]).get(claim["id"]) == "RUNNING", timeout=SETTLED_WITHIN)
    return session, claim


def assert_settled_once(api: LocalApi, session: requests.Session, claim_id: str, keys: list[str]) -> None:
    """Balance 0, paid, each acknowledged payment on the ledger once, and no execution left running."""
    view = session.get(f"{api.url}/v1/claims/{claim_id}", timeout=30).json()
    assert (view["balance"], view["status"], view["overpaid"]) == (0, "paid", 0)
    received = Counter(e["payment_key"] for e in view["timeline"] if e["type"] == "payment.received")
    assert received == Counter(keys), "every acknowledged payment is on the ledger exactly once"
    # the payment that settled it ended the execution's wait: none waits on until its own deadline
    wait_for(lambda: "RUNNING" not in api.executions(claim_id).values(), timeout=SETTLED_WITHIN, interval=0.5)
    assert list(api.executions(claim_id).values()) == ["SUCCEEDED"]


def assert_the_doctor_finds_nothing(api: LocalApi) -> None:
    swept = api.doctor("--tenant", "demo")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert "0 finding(s)" in swept.stdout


def test_fifty_clients_connecting_at_once_are_all_answered(local_api: LocalApi) -> None:
    def connect(_: int) -> requests.Response:
        return requests.get(f"{local_api.url}/_local/clock", headers={"Connection": "close"}, timeout=ANSWER_SECONDS)

    answers = all_at_once(PARALLEL, connect)

    assert [a.status_code for a in answers] == [200] * PARALLEL


def test_fifty_partial_payments_at_once_over_the_api_settle_the_claim_exactly(local_api: LocalApi) -> None:
    # GIVEN a claim of 62.25 € whose execution waits for its first message, months away
    session, claim = a_claim_far_from_its_first_message(local_api)

    # WHEN the merchant posts fifty partial payments summing to the balance, all at the same moment
    def pay(n: int) -> requests.Response:
        return requests.post(
            f"{local_api.url}/v1/claims/{claim['id']}/payments",
            json={"amount": amounts()[n], "reference": f"load-{n}"},
            headers={"Authorization": session.headers["Authorization"]},
            timeout=ANSWER_SECONDS,
        )

    answers = all_at_once(PARALLEL, pay)

    # THEN every one is acknowledged, none lost to a race, and the claim is settled exactly once over
    assert [a.status_code for a in answers] == [201] * PARALLEL, [a.text for a in answers if a.status_code != 201]
    assert_settled_once(local_api, session, claim["id"], [f"merchant#load-{n}" for n in range(PARALLEL)])
    assert_the_doctor_finds_nothing(local_api)


def test_fifty_partial_payments_at_once_through_the_sandbox_psp_settle_the_claim_exactly(local_api: LocalApi) -> None:
    session, claim = a_claim_far_from_its_first_message(local_api)

    def pay(n: int) -> requests.Response:
        return requests.post(
            f"{local_api.url}/_local/sandbox/payments",
            json={"claim_id": claim["id"], "amount": amounts()[n]},
            timeout=ANSWER_SECONDS,
        )

    answers = all_at_once(PARALLEL, pay)

    # every payment the PSP took is acknowledged, delivered now (201) or still being delivered (202); none fails
    assert {a.status_code for a in answers} <= {201, 202}, [a.text for a in answers if a.status_code >= 300]
    events = [a.json()["event"]["id"] for a in answers]

    def delivered(event_id: str) -> bool:
        state = requests.get(f"{local_api.url}/_local/sandbox/payments/{event_id}", timeout=30).json()["state"]
        assert state != "failed", event_id
        return state == "delivered"

    wait_for(lambda: all(delivered(e) for e in events), timeout=ANSWER_SECONDS, interval=0.5)
    assert_settled_once(local_api, session, claim["id"], [f"sandbox#{e}" for e in events])
    assert_the_doctor_finds_nothing(local_api)
