"""The OpenAPI document: valid 3.1, in step with the routes, and true to what the views really send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from chalice.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

import app as chalice_app
from chalicelib.api.operations import document

if TYPE_CHECKING:
    from tests.harness import Harness

pytestmark = pytest.mark.integration

LOCAL_ONLY = "/_local/"


def _routes() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, methods in chalice_app.app.routes.items()
        if not path.startswith(LOCAL_ONLY)
        for method in methods
    }


def _documented() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document()["paths"].items() for method in item}


def _conforms(payload: Any, component: str) -> list[str]:
    """Validate against the served document itself, so its $refs resolve exactly as a client's would."""
    schema = {**document(), "$ref": f"#/components/schemas/{component}"}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(payload)]


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()

    validate(doc)  # raises on any violation of the OpenAPI 3.1 schema
    assert doc["openapi"].startswith("3.1")


def test_every_public_route_is_documented_with_its_methods() -> None:
    undocumented = _routes() - _documented()

    assert not undocumented, f"add these to chalicelib/api/operations.py: {sorted(undocumented)}"


def test_every_documented_operation_exists_as_a_route() -> None:
    phantom = _documented() - _routes()

    assert not phantom, f"documented but not routed: {sorted(phantom)}"


def test_operation_ids_are_unique_and_every_json_error_is_a_problem() -> None:
    operations = [(path, item) for path, item in document()["paths"].items()]
    ids = [operation["operationId"] for _, item in operations for operation in item.values()]
    assert len(ids) == len(set(ids))
    for path, item in operations:
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                media = set(response.get("content", {}))
                if int(status) >= 400 and media & {"application/json", "application/problem+json"}:
                    assert media == {"application/problem+json"}, f"{method.upper()} {path} {status}: {media}"


def test_the_document_is_served_without_credentials() -> None:
    with Client(chalice_app.app, stage_name="local") as client:
        response = client.http.get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.json_body == document()


def test_claims_pay_page_and_errors_match_their_documented_schemas(harness: Harness) -> None:
    # GIVEN a claim, as created, read with its timeline and listed
    created = harness.create_claim(description="Order 4711")
    detail = harness.claim(created["id"])
    listed = harness.get("/v1/claims?limit=5").json_body
    token = created["pay_url"].rsplit("/", 1)[-1]
    # WHEN the debtor's page is read as JSON and a dispute is opened (dates would race the harness' fast clock)
    page = harness.client.http.get(f"/v1/pay/{token}").json_body
    dispute = harness.client.http.post(
        f"/v1/pay/{token}/dispute",
        headers={"Content-Type": "application/json"},
        body='{"reason": "not_received", "message": "The parcel never arrived."}',
    )
    unknown = harness.get("/v1/claims/nope")
    invalid = harness.post("/v1/claims", {"amount": 1.5})

    # THEN every body is exactly what the document promises
    assert dispute.status_code == 200, dispute.body
    assert _conforms(created, "ClaimOut") == []
    assert _conforms(detail, "ClaimDetail") == []
    assert _conforms(listed, "ClaimPage") == []
    assert _conforms(page, "PayPageOut") == []
    assert _conforms(dispute.json_body, "PayActionOut") == []
    assert _conforms(harness.claim(created["id"]), "ClaimDetail") == []
    assert (unknown.status_code, _conforms(unknown.json_body, "Problem")) == (404, [])
    assert (invalid.status_code, _conforms(invalid.json_body, "Problem")) == (400, [])
