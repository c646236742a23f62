"""The merchant's outbound webhooks: endpoints under /v1/webhook-endpoints, deliveries under /v1/webhooks/deliveries."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.problems import problem_responses
from chalicelib.api.requests import ANY_BODY, body_of, page_limit, query, tenant_of
from chalicelib.api.webhook_schemas import (
    WebhookDeliveryListOut,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointIn,
    WebhookEndpointListOut,
    WebhookEndpointOut,
)
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.webhook_delivery import DeliveryStatus

bp = Blueprint(__name__)


@bp.route("/v1/webhook-endpoints", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def create_endpoint() -> Response:
    request = bp.current_request
    tenant = tenant_of(request)
    body = body_of(request, WebhookEndpointIn)
    endpoint = container().outbound_webhooks.register(tenant.tenant_id, body.url, body.events, body.description)
    return Response(
        body=WebhookEndpointCreatedOut.created(endpoint).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/webhook-endpoints/{endpoint.endpoint_id}"},
    )


@bp.route("/v1/webhook-endpoints", methods=["GET"])
@problem_responses
def list_endpoints() -> dict[str, object]:
    tenant = tenant_of(bp.current_request)
    endpoints = container().outbound_webhooks.endpoints_of(tenant.tenant_id)
    return WebhookEndpointListOut(items=[WebhookEndpointOut.of(e) for e in endpoints]).model_dump(mode="json")


@bp.route("/v1/webhook-endpoints/{endpoint_id}", methods=["GET"])
@problem_responses
def get_endpoint(endpoint_id: str) -> dict[str, object]:
    tenant = tenant_of(bp.current_request)
    endpoint = container().outbound_webhooks.endpoint(tenant.tenant_id, endpoint_id)
    return WebhookEndpointOut.of(endpoint).model_dump(mode="json")


@bp.route("/v1/webhook-endpoints/{endpoint_id}", methods=["DELETE"])
@problem_responses
def delete_endpoint(endpoint_id: str) -> Response:
    tenant = tenant_of(bp.current_request)
    container().outbound_webhooks.delete(tenant.tenant_id, endpoint_id)
    return Response(body="", status_code=204)


@bp.route("/v1/webhooks/deliveries", methods=["GET"])
@problem_responses
def list_deliveries() -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    status = _status(query(request, "status"))
    endpoint_id, cursor = query(request, "endpoint_id"), query(request, "cursor")
    page = container().outbound_webhooks.deliveries_of(
        tenant.tenant_id, status, endpoint_id, cursor, page_limit(request)
    )
    items = [WebhookDeliveryOut.of(d) for d in page.items]
    return WebhookDeliveryListOut(items=items, next_cursor=page.cursor).model_dump(mode="json")


@bp.route("/v1/webhooks/deliveries/{delivery_id}", methods=["GET"])
@problem_responses
def get_delivery(delivery_id: str) -> dict[str, object]:
    tenant = tenant_of(bp.current_request)
    delivery = container().outbound_webhooks.delivery(tenant.tenant_id, delivery_id)
    return WebhookDeliveryOut.of(delivery).model_dump(mode="json")


@bp.route("/v1/webhooks/deliveries/{delivery_id}/replay", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def replay_delivery(delivery_id: str) -> Response:
    """Accepted, not done: the fresh run of attempts goes through the queue like the first."""
    tenant = tenant_of(bp.current_request)
    delivery = container().outbound_webhooks.replay(tenant.tenant_id, delivery_id)
    return Response(body=WebhookDeliveryOut.of(delivery).model_dump(mode="json"), status_code=202)


def _status(raw: str | None) -> str | None:
    if raw is None:
        return None
    if raw not in {str(s) for s in DeliveryStatus}:
        raise InvalidInputError("status", f"one of {', '.join(str(s) for s in DeliveryStatus)}")
    return raw
