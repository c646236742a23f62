"""PynamoDB repositories of webhook endpoints and deliveries (tables webhook_endpoints, webhook_deliveries)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.adapters.dynamodb import cursors
from chalicelib.adapters.dynamodb.models import WebhookDeliveryModel, WebhookEndpointModel
from chalicelib.domain.errors import ConflictError, NotFoundError, TransientError
from chalicelib.domain.webhook_delivery import Attempt, Delivery, DeliveryStatus, Endpoint
from chalicelib.services.ports import DeliveryPage

if TYPE_CHECKING:
    from pynamodb.expressions.condition import Condition

RETENTION = timedelta(days=30)  # the TTL deletes a delivery a month after its last change
_THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}


class DynamoEndpointRepository:
    def add(self, endpoint: Endpoint) -> None:
        item = WebhookEndpointModel(
            endpoint.tenant_id,
            endpoint.endpoint_id,
            url=endpoint.url,
            events=list(endpoint.events),
            secret=endpoint.secret,
            description=endpoint.description,
            created_at=endpoint.created_at,
        )
        try:
            item.save(condition=WebhookEndpointModel.endpoint_id.does_not_exist())
        except PutError as exc:
            _raise_transient(exc)
            raise ConflictError(f"endpoint {endpoint.endpoint_id} exists") from exc

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        try:
            return _endpoint(WebhookEndpointModel.get(tenant_id, endpoint_id, consistent_read=True))
        except WebhookEndpointModel.DoesNotExist as exc:
            raise NotFoundError(f"no webhook endpoint {endpoint_id}") from exc

    def for_tenant(self, tenant_id: str) -> list[Endpoint]:
        return [_endpoint(item) for item in WebhookEndpointModel.query(tenant_id, consistent_read=True)]

    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        try:
            WebhookEndpointModel(tenant_id, endpoint_id).delete(condition=WebhookEndpointModel.endpoint_id.exists())
        except DeleteError as exc:
            _raise_transient(exc)
            raise NotFoundError(f"no webhook endpoint {endpoint_id}") from exc


class DynamoDeliveryRepository:
    def add(self, delivery: Delivery) -> Delivery | None:
        item = _delivery_item(replace(delivery, version=0))
        try:
            item.save(condition=WebhookDeliveryModel.delivery_id.does_not_exist())
        except PutError as exc:
            _raise_transient(exc)
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return replace(delivery, version=int(item.version or 0))

    def get(self, tenant_id: str, delivery_id: str) -> Delivery:
        try:
            return _delivery(WebhookDeliveryModel.get(tenant_id, delivery_id, consistent_read=True))
        except WebhookDeliveryModel.DoesNotExist as exc:
            raise NotFoundError(f"no webhook delivery {delivery_id}") from exc

    def save(self, delivery: Delivery) -> Delivery:
        item = _delivery_item(delivery)
        try:
            item.save()  # VersionAttribute: only if the stored version is still delivery.version
        except PutError as exc:
            _raise_transient(exc)
            raise ConflictError(f"delivery {delivery.delivery_id} changed meanwhile") from exc
        return replace(delivery, version=int(item.version or 0))

    def page(
        self, tenant_id: str, status: str | None, endpoint_id: str | None, cursor: str | None, limit: int
    ) -> DeliveryPage:
        condition: Condition | None = None
        if status:
            condition = WebhookDeliveryModel.status == status
        if endpoint_id:
            same_endpoint = WebhookDeliveryModel.endpoint_id == endpoint_id
            condition = same_endpoint if condition is None else condition & same_endpoint
        result = WebhookDeliveryModel.query(
            tenant_id,
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=cursors.decode(cursor, tenant_id, cursors.key_schema(WebhookDeliveryModel)),
        )
        items = [_delivery(item) for item in result]
        last = result.last_evaluated_key
        return DeliveryPage(items=items, cursor=cursors.encode(last))


def _endpoint(item: WebhookEndpointModel) -> Endpoint:
    return Endpoint(
        endpoint_id=item.endpoint_id,
        tenant_id=item.tenant_id,
        url=item.url,
        events=tuple(item.events or ()),
        secret=item.secret,
        created_at=item.created_at,
        description=item.description,
    )


def _delivery_item(delivery: Delivery) -> WebhookDeliveryModel:
    item = WebhookDeliveryModel(
        delivery.tenant_id,
        delivery.delivery_id,
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        claim_id=delivery.claim_id,
        payload=delivery.payload,
        status=str(delivery.status),
        attempts=[_attempt_dict(a) for a in delivery.attempts],
        run=delivery.run,
        queued=delivery.queued,
        next_attempt_at=delivery.next_attempt_at,
        created_at=delivery.created_at,
        expires_at=RETENTION,  # PynamoDB counts a timedelta from now (real time)
    )
    if delivery.version:
        item.version = delivery.version  # without one, PynamoDB's check is "does not exist yet"
    return item


def _delivery(item: WebhookDeliveryModel) -> Delivery:
    return Delivery(
        delivery_id=item.delivery_id,
        tenant_id=item.tenant_id,
        endpoint_id=item.endpoint_id,
        event_id=item.event_id,
        event_type=item.event_type,
        claim_id=item.claim_id,
        payload=item.payload,
        created_at=item.created_at,
        status=DeliveryStatus(item.status),
        attempts=tuple(_attempt(a) for a in item.attempts or ()),
        run=int(item.run or 0),
        next_attempt_at=item.next_attempt_at,
        queued=int(item.queued if item.queued is not None else -1),
        version=int(item.version or 0),
    )


def _attempt_dict(attempt: Attempt) -> dict[str, Any]:
    return {
        "at": attempt.at.isoformat(),
        "status_code": attempt.status_code,
        "error": attempt.error,
        "duration_ms": attempt.duration_ms,
        "run": attempt.run,
    }


def _attempt(data: dict[str, Any]) -> Attempt:
    return Attempt(
        at=datetime.fromisoformat(data["at"]),
        status_code=data.get("status_code"),
        error=data.get("error"),
        duration_ms=int(data.get("duration_ms") or 0),
        run=int(data.get("run") or 0),
    )


def _raise_transient(exc: PutError | DeleteError) -> None:
    if exc.cause_response_code in _THROTTLED:
        raise TransientError(f"DynamoDB is busy: {exc.cause_response_code}") from exc
