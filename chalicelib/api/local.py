"""Routes of the local stage only: outbox, virtual clock, sandbox PSP and agency sandbox."""

from __future__ import annotations

import json
import time

import requests
from chalice import Blueprint, Response

from chalicelib.adapters.agency import signature
from chalicelib.adapters.agency.sandbox_store import inbox
from chalicelib.adapters.payments import sandbox
from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, body_of, headers_of, query, raw_body
from chalicelib.api.schemas import SandboxPaymentIn
from chalicelib.bootstrap import container

bp = Blueprint(__name__)


@bp.route("/_local/outbox", methods=["GET"])
def outbox() -> dict[str, object]:
    claim_id = query(bp.current_request, "claim_id")
    return {"items": container().outbox.list(claim_id)}


@bp.route("/_local/clock", methods=["GET"])
def clock() -> dict[str, object]:
    app = container()
    now = app.clock.now()
    return {"now": now.isoformat(), "today": now.date().isoformat(), "day_seconds": app.settings.day_seconds}


@bp.route("/_local/sandbox/payments", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def sandbox_payment() -> Response:
    """The sandbox PSP completed a checkout: it signs and delivers its webhook over HTTP, like a real PSP."""
    body = body_of(bp.current_request, SandboxPaymentIn)
    app = container()
    claim = app.claims.get(body.claim_id)
    tenant = app.tenants.get(claim.tenant_id)
    event = sandbox.payment_event(claim.claim_id, body.amount, claim.ledger.currency)
    raw = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        sandbox.SIGNATURE_HEADER: sandbox.sign(tenant.webhook_secret("sandbox") or "", raw, int(time.time())),
    }
    url = f"{app.settings.public_base_url}/v1/webhooks/{claim.tenant_id}/sandbox"
    delivered = requests.post(url, data=raw, headers=headers, timeout=10)
    return Response(
        body={"event": event, "webhook_status": delivered.status_code, "webhook_response": delivered.json()},
        status_code=201 if delivered.ok else 502,
    )


@bp.route("/_local/agency/claims", methods=["POST"], content_types=ANY_BODY)
def agency_receive() -> Response:
    request = bp.current_request
    raw = raw_body(request)
    try:
        signature.verify(container().settings.agency_secret, headers_of(request), raw, now=time.time())
    except Exception as exc:  # noqa: BLE001 - the sandbox answers every bad request like a real agency would
        return Response(body={"error": str(exc)}, status_code=401)
    reference, new = inbox.receive(json.loads(raw))
    return Response(body={"reference": reference}, status_code=201 if new else 200)


@bp.route("/_local/agency/claims", methods=["GET"])
def agency_list() -> dict[str, object]:
    claim_id = query(bp.current_request, "claim_id")
    return {"items": inbox.list(claim_id)}
