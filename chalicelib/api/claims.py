"""The merchant's claims API under /v1/claims."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response
from ulid import ULID

from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, body_of, header, page_limit, query, raw_body, tenant_of
from chalicelib.api.schemas import CancelIn, DisputeResolutionIn, PaymentIn, RefundIn, new_claim_command
from chalicelib.api.views import claim_view
from chalicelib.bootstrap import container
from chalicelib.contracts.claims import ClaimIn
from chalicelib.observability import count, logger
from chalicelib.services import claims as claim_service
from chalicelib.services import disputes
from chalicelib.services.overpayments import refund_overpayment
from chalicelib.services.payments import record_payment
from chalicelib.services.ports import PaymentRecord

if TYPE_CHECKING:
    from chalice.app import Request

bp = Blueprint(__name__)


@bp.route("/v1/claims", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def create_claim() -> Response:
    request = bp.current_request
    tenant = tenant_of(request)
    command = new_claim_command(body_of(request, ClaimIn))
    app = container()
    result = claim_service.create_claim(
        command,
        tenant,
        app.claims,
        app.workflow,
        app.clock,
        app.pay_token_secret,
        idempotency_key=header(request, "Idempotency-Key"),
    )
    logger.info("claim handed over", claim_id=result.claim.claim_id, tenant_id=tenant.tenant_id, new=result.created)
    if result.created:
        count("ClaimsCreated")
    return Response(
        body=claim_view(result.claim, app),
        status_code=201 if result.created else 200,
        headers={"Location": f"/v1/claims/{result.claim.claim_id}"},
    )


@bp.route("/v1/claims", methods=["GET"])
@problem_responses
def list_claims() -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    limit = page_limit(request)
    app = container()
    status, cursor = query(request, "status"), query(request, "cursor")
    page = claim_service.list_claims(tenant.tenant_id, status, cursor, limit, app.claims)
    return {"items": [claim_view(c, app) for c in page.items], "next_cursor": page.cursor}


@bp.route("/v1/claims/{claim_id}", methods=["GET"])
@problem_responses
def get_claim(claim_id: str) -> dict[str, object]:
    tenant = tenant_of(bp.current_request)
    app = container()
    claim, events = claim_service.get_claim(claim_id, tenant.tenant_id, app.claims, app.timeline)
    return claim_view(claim, app, events)


@bp.route("/v1/claims/{claim_id}/payments", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def add_payment(claim_id: str) -> Response:
    request = bp.current_request
    tenant = tenant_of(request)
    body = body_of(request, PaymentIn)
    app = container()
    claim = app.claims.get(claim_id, tenant.tenant_id)
    payment = PaymentRecord(
        payment_key=f"merchant#{_movement_key(request, body.reference)}",
        amount=body.amount,
        currency=claim.ledger.currency,
        provider="merchant",
        reference=body.reference,
        paid_at=body.paid_at.isoformat() if body.paid_at else None,
    )
    outcome = record_payment(claim_id, tenant.tenant_id, payment, app.money)
    return Response(body=claim_view(outcome.claim, app), status_code=200 if outcome.duplicate else 201)


@bp.route("/v1/claims/{claim_id}/refunds", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def add_refund(claim_id: str) -> Response:
    """The merchant paid an over-payment back to the debtor (services.overpayments)."""
    request = bp.current_request
    tenant = tenant_of(request)
    body = body_of(request, RefundIn)
    app = container()
    key = _movement_key(request, body.reference)
    outcome = refund_overpayment(claim_id, tenant.tenant_id, body.amount, key, body.reference, app.money)
    return Response(body=claim_view(outcome.claim, app), status_code=200 if outcome.duplicate else 201)


def _movement_key(request: Request, reference: str | None) -> str:
    """The merchant's own reference (or the Idempotency-Key) makes a repeated POST harmless."""
    return reference or header(request, "Idempotency-Key") or str(ULID())


@bp.route("/v1/claims/{claim_id}/cancel", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def cancel_claim(claim_id: str) -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    reason = body_of(request, CancelIn).reason if raw_body(request).strip() else None
    app = container()
    claim = claim_service.cancel_claim(claim_id, tenant.tenant_id, reason, app.claims, app.workflow, app.clock)
    return claim_view(claim, app)


@bp.route("/v1/claims/{claim_id}/dispute/resolution", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def resolve_dispute(claim_id: str) -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    body = body_of(request, DisputeResolutionIn)
    app = container()
    claim = disputes.resolve_dispute(
        claim_id, tenant, body.outcome, body.amount, app.claims, app.workflow, app.notices, app.clock
    )
    return claim_view(claim, app)
