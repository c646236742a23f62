"""Inbound webhooks of every kind at /v1/webhooks/{tenant_id}/{provider}: payment providers and shop systems."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, MAX_BODY_BYTES, headers_of, raw_body
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInputError, NotFoundError
from chalicelib.services.psp_webhooks import PSP_PROVIDERS, Applied, handle_psp_webhook
from chalicelib.services.shop_webhooks import SHOP_SYSTEMS, handle_shop_webhook

bp = Blueprint(__name__)
PROVIDERS = (*PSP_PROVIDERS, *SHOP_SYSTEMS)
# Adyen treats any other answer as a failed delivery and retries.
ADYEN_ACCEPTED = "[accepted]"


class UnknownProviderError(NotFoundError):
    pass


@bp.route("/v1/webhooks/{tenant_id}/{provider}", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def receive_webhook(tenant_id: str, provider: str) -> Response:
    if provider not in PROVIDERS:
        raise UnknownProviderError(f"no webhook provider '{provider}'; one of {', '.join(PROVIDERS)}")
    request = bp.current_request
    body = raw_body(request)
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInputError("body", f"larger than {MAX_BODY_BYTES} bytes")
    app = container()
    tenant = app.tenants.get(tenant_id)
    headers = headers_of(request)
    if provider in SHOP_SYSTEMS:
        result = handle_shop_webhook(tenant, provider, headers, body, app.shop_readers, app.money, app.pay_token_secret)
        return Response(body=result, status_code=200)
    applied = handle_psp_webhook(tenant, provider, headers, body, app.payment_readers, app.money)
    if provider == "adyen":
        return Response(body=ADYEN_ACCEPTED, status_code=200, headers={"Content-Type": "text/plain"})
    return Response(body=_psp_answer(applied), status_code=200)


def _psp_answer(applied: list[Applied]) -> dict[str, Any]:
    """The first (for Stripe and the sandbox: the only) event's effect, for the sender's delivery log."""
    answer: dict[str, Any] = {"received": True, "applied": False}
    for item in applied:
        if item.outcome is None:
            continue
        claim = item.outcome.claim
        answer.update(
            applied=not item.outcome.duplicate,
            kind=item.event.kind,
            claim_id=claim.claim_id,
            status=str(claim.status),
            balance=claim.ledger.balance,
        )
        break
    return answer
