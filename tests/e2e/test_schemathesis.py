"""Schemathesis against a local stack of its own: no input makes a documented operation fail or leave its schema."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.harness import wait_for
from tests.local_stack import running_stack

if TYPE_CHECKING:
    from collections.abc import Iterator

    from schemathesis.specs.openapi.schemas import OpenApiSchema

    from tests.local_stack import LocalApi

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Real-time days: fuzzed claims wait for their first stage instead of running the ladder on the shared stack's clock.
REAL_DAY_SECONDS = 86400
API_KEY = "local-demo-key"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
# Methods no route has, sent to every path. Not TRACE: the local server (http.server) answers it with 501 before
# the app sees it, and API Gateway does not pass TRACE on to a Lambda either.
UNEXPECTED_METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"]
# Path parameters draw from real ids most of the time: a random id or pay token only ever reaches the 404.
KNOWN_VALUE_PROBABILITY = 0.8
STATEMENT = Path(__file__).parents[1] / "events" / "bank" / "camt053_001_02.xml"


@pytest.fixture(scope="module")
def fuzz_api() -> Iterator[LocalApi]:
    with running_stack(REAL_DAY_SECONDS) as api:
        yield api


@pytest.fixture(scope="module")
def api_schema(fuzz_api: LocalApi) -> OpenApiSchema:
    known = _known_ids(fuzz_api)
    config = schemathesis.Config.from_dict(
        {
            "seed": 20240601,
            "headers": {"Authorization": f"Bearer {API_KEY}"},
            "generation": {"mode": "all", "max-examples": 15, "deterministic": True, "database": "none"},
            "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": UNEXPECTED_METHODS}},
            "dictionaries": {name: {"values": values} for name, values in known.items()},
            "parameters": {
                f"path.{name}": {"dictionary": name, "probability": KNOWN_VALUE_PROBABILITY} for name in known
            },
        }
    )
    return schemathesis.openapi.from_url(f"{fuzz_api.url}/v1/openapi.json", config=config)


def _known_ids(api: LocalApi) -> dict[str, list[str]]:
    """Real ids for every path parameter, of resources in every state the responses can describe."""
    session = api.session(API_KEY)
    receiver = {"url": f"{api.url}/_local/receivers/schemathesis", "events": ["*"]}
    endpoint = session.post(f"{api.url}/v1/webhook-endpoints", json=receiver, timeout=5).json()
    claims = _claims_in_every_kind_of_state(api, session)
    imported = session.post(
        f"{api.url}/v1/bank-statements",
        data=_statement_matching_nothing(),
        headers={"Content-Type": "application/xml"},
        timeout=10,
    )
    assert imported.status_code == 201, imported.text
    entries = session.get(f"{api.url}/v1/payments/unmatched", timeout=5).json()["items"]
    deliveries = wait_for(lambda: session.get(f"{api.url}/v1/webhooks/deliveries", timeout=30).json()["items"], 60)
    return {
        "claim_id": [c["id"] for c in claims],
        "token": [_token(c) for c in claims],
        "tenant_id": ["demo"],
        "endpoint_id": [endpoint["id"]],
        "delivery_id": [d["id"] for d in deliveries[:5]],
        "entry_id": [e["id"] for e in entries],
    }


def _claims_in_every_kind_of_state(api: LocalApi, session: requests.Session) -> list[dict[str, Any]]:
    """Open, promised, in instalments, disputed, paused: every shape of agreement meets the response checks."""
    claims = [api.create_claim(session, amount=50000) for _ in range(5)]
    limits = requests.get(f"{api.url}/v1/pay/{_token(claims[1])}", timeout=5).json()["limits"]
    answers = {
        1: ("promise", {"date": limits["promise_min"]}),
        2: ("instalments", {"count": 2}),
        3: ("dispute", {"reason": "not_received", "message": "The parcel never arrived."}),
        4: ("pause", {"reason": "Lost my job last week", "days": 7}),
    }
    for index, (action, body) in answers.items():
        response = requests.post(f"{api.url}/v1/pay/{_token(claims[index])}/{action}", json=body, timeout=5)
        assert response.status_code == 200, response.text
    return claims


def _token(claim: dict[str, Any]) -> str:
    return str(claim["pay_url"]).rsplit("/", 1)[-1]


def _statement_matching_nothing() -> bytes:
    """A CAMT.053 file whose credits name no claim: they wait on the review list (tests/events/bank/README.md)."""
    names = {"NAME1": "Karl Unbekannt", "NAME2": "Petra Niemand", "NAME3": "Fremdfirma KG", "NAME5": "Otto Irgendwer"}
    refs = {"REF1": "4711", "REF2": "RG-2026-0815", "REF3": "RG-2026-0816", "REF4": "RG-2026-0817"}
    amounts = {"AMOUNT1": "1.11", "AMOUNT2": "2.22", "AMOUNT3": "3.33", "AMOUNT5": "5.55", "BATCH_TOTAL": "5.55"}
    header = {"MSG_ID": f"STMT{uuid.uuid4().hex[:10].upper()}", "CLOSING_BALANCE": "12345.67"}
    return STATEMENT.read_text(encoding="utf-8").format_map({**names, **refs, **amounts, **header}).encode()


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy loader reads and renames `node._nodeid`, which pytest 9.2 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


# Every operation: schemathesis leaves out the one serving the document itself unless a filter names it.
schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="^/")


@schema.parametrize()
def test_no_input_gets_a_server_error_or_an_undocumented_response(case: schemathesis.Case) -> None:
    # A 500 shows a curl line that replays it; the traceback is in the stack's log (LocalApi.output).
    case.call_and_validate(checks=CHECKS, timeout=10)
