"""Inbound webhooks of every kind at /v1/webhooks/{tenant_id}/{provider}."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, MAX_BODY_BYTES, headers_of, raw_body
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInputError
from chalicelib.services.webhooks import handle_payment_webhook

bp = Blueprint(__name__)


@bp.route("/v1/webhooks/{tenant_id}/{provider}", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def receive_webhook(tenant_id: str, provider: str) -> Response:
    request = bp.current_request
    body = raw_body(request)
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInputError("body", f"larger than {MAX_BODY_BYTES} bytes")
    app = container()
    outcome = handle_payment_webhook(
        tenant_id, provider, headers_of(request), body, app.tenants, app.claims, app.workflow, app.clock, app.thank_you
    )
    if outcome is None:
        return Response(body={"received": True, "applied": False}, status_code=200)
    return Response(
        body={
            "received": True,
            "applied": not outcome.duplicate,
            "claim_id": outcome.claim.claim_id,
            "status": str(outcome.claim.status),
            "balance": outcome.claim.ledger.balance,
        },
        status_code=200,
    )
