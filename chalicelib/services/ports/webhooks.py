"""Ports of the outbound webhooks: the tenant's endpoints, the deliveries, their queue and the signed POST."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.webhook_delivery import Delivery

if TYPE_CHECKING:
    from chalicelib.domain.webhook_delivery import DeliveryMessage, Endpoint


class EndpointRepository(Protocol):
    """A tenant's outbound webhook endpoints."""

    def add(self, endpoint: Endpoint) -> None: ...
    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        """NotFoundError when the tenant has no such endpoint."""
        ...

    def for_tenant(self, tenant_id: str) -> list[Endpoint]: ...
    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        """NotFoundError when the tenant has no such endpoint."""
        ...


@dataclass(frozen=True)
class DeliveryPage:
    items: list[Delivery]
    cursor: str | None


class DeliveryRepository(Protocol):
    """Outbound webhook deliveries with their attempts."""

    def add(self, delivery: Delivery) -> Delivery | None:
        """Store a new delivery and return it as stored; None when it exists already (a stream batch read twice)."""
        ...

    def get(self, tenant_id: str, delivery_id: str) -> Delivery:
        """NotFoundError when the tenant has no such delivery."""
        ...

    def save(self, delivery: Delivery) -> Delivery:
        """Write if nobody changed it since it was read (ConflictError otherwise); returns the new version."""
        ...

    def page(
        self, tenant_id: str, status: str | None, endpoint_id: str | None, cursor: str | None, limit: int
    ) -> DeliveryPage:
        """Newest first; InvalidInputError("cursor") for a cursor this tenant was not given."""
        ...


class DeliveryQueue(Protocol):
    def enqueue(self, message: DeliveryMessage, delay_seconds: int) -> None:
        """Send one attempt's message, visible after `delay_seconds` (0 to 900)."""
        ...

    def park(self, message: DeliveryMessage, reason: str) -> None:
        """Put a message whose attempts are used up into the dead-letter queue."""
        ...


@dataclass(frozen=True)
class PostOutcome:
    status_code: int | None  # None when no HTTP answer came (timeout, refused, blocked address)
    error: str | None
    duration_ms: int


class WebhookPoster(Protocol):
    def vet(self, url: str) -> None:
        """Refuse a URL whose host resolves to a non-public address (InvalidInputError("url"))."""
        ...

    def post(self, url: str, secret: str, message_id: str, body: str) -> PostOutcome:
        """POST the body signed per Standard Webhooks; never raises for the receiver's failures."""
        ...
