"""Request and response bodies of the outbound webhook API: endpoints and deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.contracts.strict import StrictModel
from chalicelib.domain.webhook_delivery import MAX_URL_LENGTH

if TYPE_CHECKING:
    from chalicelib.domain.webhook_delivery import Attempt, Delivery, Endpoint

EventName = Annotated[str, Field(min_length=1, max_length=64, description="an event type, e.g. claim.paid, or *")]
DeliveryState = Literal["pending", "succeeded", "failed", "cancelled"]


class _Out(BaseModel):
    """Responses: exact and strict, but not StrictModel: stored text (an attempt's error) is sent as it is."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class WebhookEndpointIn(StrictModel):
    url: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_URL_LENGTH,
            description="https on deployed stages; the local stack accepts only http(s)://127.0.0.1 or localhost",
        ),
    ]
    events: Annotated[list[EventName], Field(min_length=1, max_length=64, description="event types, or ['*']")]
    description: Annotated[str, Field(max_length=200)] | None = None


class WebhookEndpointOut(_Out):
    id: str
    url: str
    events: list[str]
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: Endpoint) -> WebhookEndpointOut:
        return cls(
            id=endpoint.endpoint_id,
            url=endpoint.url,
            events=list(endpoint.events),
            description=endpoint.description,
            created_at=endpoint.created_at,
        )


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    """The only response that contains the signing secret."""

    secret: Annotated[str, Field(description="whsec_…: verify deliveries with it (Standard Webhooks); shown once")]

    @classmethod
    def created(cls, endpoint: Endpoint) -> WebhookEndpointCreatedOut:
        return cls(**WebhookEndpointOut.of(endpoint).model_dump(), secret=endpoint.secret)


class WebhookEndpointListOut(_Out):
    items: list[WebhookEndpointOut]


class DeliveryAttemptOut(_Out):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    run: Annotated[int, Field(description="0 for the first run; each replay starts the next")]

    @classmethod
    def of(cls, attempt: Attempt) -> DeliveryAttemptOut:
        return cls(
            at=attempt.at,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
            run=attempt.run,
        )


class WebhookDeliveryOut(_Out):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    claim_id: str
    status: DeliveryState
    attempts: list[DeliveryAttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, delivery: Delivery) -> WebhookDeliveryOut:
        return cls(
            id=delivery.delivery_id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            claim_id=delivery.claim_id,
            status=str(delivery.status),  # type: ignore[arg-type]
            attempts=[DeliveryAttemptOut.of(a) for a in delivery.attempts],
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
        )


class WebhookDeliveryListOut(_Out):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None
