"""Routes of the local stage only: outbox, virtual clock, sandbox PSP, agency sandbox and webhook receivers."""

from __future__ import annotations

import json
import time
from typing import Any

from chalice import Blueprint, Response
from jinja2 import Template

from chalicelib.adapters.agency import signature
from chalicelib.adapters.agency.sandbox_store import inbox
from chalicelib.adapters.payments import sandbox
from chalicelib.adapters.webhooks.local_receivers import receivers
from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, body_of, headers_of, query, raw_body
from chalicelib.api.schemas import SandboxPaymentIn
from chalicelib.bootstrap import container
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.money import Money

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
    """The sandbox PSP completed a payment: it signs and delivers its webhook over HTTP, like a real PSP.

    The payment succeeded at the PSP whatever the merchant's endpoint answers, so this never fails for its
    delivery: 201 when the webhook was accepted (with the endpoint's answer), 202 while the PSP still delivers
    it (no answer yet, or a refusal it will retry), with the delivery's state, which GET …/{event_id} follows.
    """
    body = body_of(bp.current_request, SandboxPaymentIn)
    delivery = _pay(body.claim_id, body.amount)
    answer = {"event": delivery.event, "delivery": delivery.view()}
    if delivery.state == "delivered":
        status = delivery.attempts[-1]["status"]
        return Response(
            body={**answer, "webhook_status": status, "webhook_response": delivery.response}, status_code=201
        )
    return Response(body=answer, status_code=202)


@bp.route("/_local/sandbox/payments/{event_id}", methods=["GET"])
@problem_responses
def sandbox_delivery(event_id: str) -> dict[str, object]:
    found = sandbox.deliveries.get(event_id)
    if found is None:
        raise NotFoundError("the sandbox PSP sent no such event")
    return found


@bp.route("/_local/sandbox/checkout/{session_id}", methods=["GET"])
@problem_responses
def sandbox_checkout_page(session_id: str) -> Response:
    session = container().checkout_sandbox.session(session_id)
    amount = Money(session.amount, session.currency).format(session.language)
    html = CHECKOUT_PAGE.render(session=session, session_id=session_id, amount=amount)
    return Response(body=html, headers={"Content-Type": "text/html; charset=utf-8", "X-Robots-Tag": "noindex"})


@bp.route("/_local/sandbox/checkout/{session_id}", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def sandbox_checkout_pay(session_id: str) -> Response:
    """The debtor pressed "Pay": the PSP sends its webhook first, then returns the debtor to the shop."""
    session = container().checkout_sandbox.session(session_id)
    _pay(session.claim_id, session.amount)
    return Response(body="", status_code=303, headers={"Location": session.success_url})


def _pay(claim_id: str, amount: int) -> sandbox.Delivery:
    app = container()
    claim = app.claims.get(claim_id)
    secret = app.tenants.get(claim.tenant_id).webhook_secret("sandbox") or ""
    return sandbox.deliver(
        app.settings.public_base_url, claim.tenant_id, secret, claim_id, amount, claim.ledger.currency
    )


CHECKOUT_PAGE = Template(
    """<!doctype html><html lang="{{ session.language }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sandbox checkout</title></head>
<body><main><h1>Sandbox PSP</h1><p>{{ session.description }}</p><p><strong>{{ amount }}</strong></p>
<form method="post"><button type="submit">Pay {{ amount }}</button></form>
<p><a href="{{ session.cancel_url }}">Cancel</a></p></main></body></html>""",
    autoescape=True,
)


@bp.route("/_local/agency/claims", methods=["POST"], content_types=ANY_BODY)
def agency_receive() -> Response:
    """The agency sandbox takes a hand-over as docs/agency-interface.md describes: signed, filed once."""
    payload = _agency_verified(bp.current_request)
    if isinstance(payload, Response):
        return payload
    reference, new = inbox.receive(payload)
    return Response(body={"reference": reference}, status_code=201 if new else 200)


@bp.route("/_local/agency/claims", methods=["GET"])
def agency_list() -> dict[str, object]:
    claim_id = query(bp.current_request, "claim_id")
    return {"items": inbox.list(claim_id)}


@bp.route("/_local/agency/claims/{handover_id}/updates", methods=["POST"], content_types=ANY_BODY)
def agency_receive_update(handover_id: str) -> Response:
    """An update of a claim the sandbox holds: filed once per update_id; 404 for a hand-over it never received."""
    update = _agency_verified(bp.current_request)
    if isinstance(update, Response):
        return update
    new = inbox.receive_update(handover_id, update)
    if new is None:
        return Response(body={"error": f"no hand-over {handover_id}"}, status_code=404)
    return Response(body={"update_id": update.get("update_id")}, status_code=201 if new else 200)


@bp.route("/_local/agency/updates", methods=["GET"])
def agency_updates() -> dict[str, object]:
    """Every update the sandbox filed, in the order they arrived; `?claim_id=` for one claim's."""
    claim_id = query(bp.current_request, "claim_id")
    return {"items": inbox.updates(claim_id)}


def _agency_verified(request: Any) -> dict[str, Any] | Response:
    """The JSON body if its Standard Webhooks signature holds with the agency secret, else the 401 to answer."""
    raw = raw_body(request)
    try:
        signature.verify(container().settings.agency_secret, headers_of(request), raw, now=time.time())
    except Exception as exc:  # noqa: BLE001 - the sandbox answers every bad request like a real agency would
        return Response(body={"error": str(exc)}, status_code=401)
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    return body if isinstance(body, dict) else Response(body={"error": "not a JSON object"}, status_code=400)


@bp.route("/_local/receivers/{name}", methods=["POST"], content_types=ANY_BODY)
def receiver_receive(name: str) -> Response:
    """A stand-in for a merchant's webhook endpoint: http://127.0.0.1:<port>/_local/receivers/<name>."""
    request = bp.current_request
    status = receivers.receive(name, headers_of(request), raw_body(request).decode("utf-8", "replace"))
    return Response(body={"received": status < 300}, status_code=status)


@bp.route("/_local/receivers/{name}", methods=["GET"])
def receiver_list(name: str) -> dict[str, object]:
    return {"items": receivers.list(name)}
