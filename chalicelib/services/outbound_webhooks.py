"""Outbound webhooks: tenants' endpoints, fan-out of claim events into deliveries, signed attempts with back-off."""

from __future__ import annotations

import json
import math
import secrets
import time
from typing import TYPE_CHECKING

from ulid import ULID

from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.domain.webhook_delivery import (
    MAX_ENDPOINTS,
    SECRET_BYTES,
    Attempt,
    Delivery,
    DeliveryMessage,
    DeliveryStatus,
    Endpoint,
    PublishedEvent,
    delivery_id,
    encode,
    endpoint_url,
    new_secret,
    payload,
    subscribed_events,
)
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from chalicelib.domain.clock import VirtualClock
    from chalicelib.services.ports import (
        DeliveryPage,
        DeliveryQueue,
        DeliveryRepository,
        EndpointRepository,
        WebhookPoster,
    )

MAX_QUEUE_DELAY = 900  # seconds: the longest delay SQS accepts


class OutboundWebhooks:
    """Every use case of outbound webhooks, over its four ports and the virtual clock."""

    def __init__(
        self,
        endpoints: EndpointRepository,
        deliveries: DeliveryRepository,
        queue: DeliveryQueue,
        poster: WebhookPoster,
        clock: VirtualClock,
        local: bool,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoints = endpoints
        self.deliveries = deliveries
        self.queue = queue
        self.poster = poster
        self.clock = clock
        self.local = local
        self._sleep = sleep

    # --- endpoints -------------------------------------------------------------------------------------------

    def register(self, tenant_id: str, url: str, events: list[str], description: str | None) -> Endpoint:
        """The secret is generated here and returned once; afterwards only deliveries prove it."""
        url = endpoint_url(url, self.local)
        subscribed = subscribed_events(events)
        if len(self.endpoints.for_tenant(tenant_id)) >= MAX_ENDPOINTS:
            raise ConflictError(f"at most {MAX_ENDPOINTS} webhook endpoints per tenant; delete one first")
        self.poster.vet(url)
        endpoint = Endpoint(
            endpoint_id=f"ep_{ULID()}",
            tenant_id=tenant_id,
            url=url,
            events=subscribed,
            secret=new_secret(secrets.token_bytes(SECRET_BYTES)),
            created_at=self.clock.now(),
            description=description,
        )
        self.endpoints.add(endpoint)
        return endpoint

    def endpoints_of(self, tenant_id: str) -> list[Endpoint]:
        return self.endpoints.for_tenant(tenant_id)

    def endpoint(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        return self.endpoints.get(tenant_id, endpoint_id)

    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        """Pending deliveries to it end as `cancelled` when their next attempt finds it gone."""
        self.endpoints.delete(tenant_id, endpoint_id)

    # --- deliveries ------------------------------------------------------------------------------------------

    def publish(self, events: Iterable[PublishedEvent]) -> int:
        """One delivery per subscribed endpoint; a batch read twice adds nothing and loses nothing."""
        subscribers: dict[str, list[Endpoint]] = {}
        created, now = 0, self.clock.now()
        for event in events:
            if event.tenant_id not in subscribers:
                subscribers[event.tenant_id] = self.endpoints.for_tenant(event.tenant_id)
            body = encode(payload(event))
            for endpoint in subscribers[event.tenant_id]:
                if not endpoint.subscribes_to(event.type):
                    continue
                new = Delivery(
                    delivery_id=delivery_id(event.event_id, endpoint.endpoint_id),
                    tenant_id=event.tenant_id,
                    endpoint_id=endpoint.endpoint_id,
                    event_id=event.event_id,
                    event_type=event.type,
                    claim_id=event.claim_id,
                    payload=body,
                    created_at=now,
                    next_attempt_at=now,
                )
                stored = self.deliveries.add(new)
                created += stored is not None
                self._queue_next(stored or self.deliveries.get(new.tenant_id, new.delivery_id))
        return created

    def deliver(self, message: DeliveryMessage) -> str:
        """Make the attempt a queue message stands for, once; returns what happened (for logs and tests)."""
        try:
            current = self.deliveries.get(message.tenant_id, message.delivery_id)
        except NotFoundError:
            return "expired"
        if current.status is not DeliveryStatus.PENDING or current.run != message.run:
            return "stale"
        if message.attempt != current.attempts_in_run:
            self._queue_next(current)  # this attempt was made, but its follow-up may never have been queued
            return "stale"
        wait = message.not_before - self.clock.real_now().timestamp()
        if wait >= 1:
            self.queue.enqueue(message, min(MAX_QUEUE_DELAY, int(wait)))
            return "deferred"
        if wait > 0:
            self._sleep(wait)  # SQS delays are whole seconds; the fraction is waited here
        try:
            endpoint = self.endpoints.get(current.tenant_id, current.endpoint_id)
        except NotFoundError:
            self._save(current.cancelled())
            return str(DeliveryStatus.CANCELLED)
        return self._attempt(current, endpoint, message)

    def _attempt(self, current: Delivery, endpoint: Endpoint, message: DeliveryMessage) -> str:
        started = self.clock.now()
        outcome = self.poster.post(endpoint.url, endpoint.secret, current.message_id, current.payload)
        updated = current.after(Attempt(started, outcome.status_code, outcome.error, outcome.duration_ms))
        if updated.status is DeliveryStatus.FAILED:
            # Parked before the write: a crash in between repeats the attempt rather than losing the event.
            self.queue.park(message, outcome.error or f"HTTP {outcome.status_code}")
        saved = self._save(updated)
        if saved is None:
            return "stale"
        logger.info(
            "webhook attempt",
            tenant_id=saved.tenant_id,
            delivery_id=saved.delivery_id,
            status_code=outcome.status_code,
            error=outcome.error,
            status=str(saved.status),
        )
        if saved.status is DeliveryStatus.PENDING:
            self._queue_next(saved)
        else:
            count("WebhookDeliveries", outcome=str(saved.status))
        return str(saved.status)

    def replay(self, tenant_id: str, delivery_id: str) -> Delivery:
        """Run the whole schedule again, e.g. after the receiver was fixed; the webhook-id stays the same."""
        current = self.deliveries.get(tenant_id, delivery_id)
        if current.status is DeliveryStatus.PENDING:
            raise ConflictError(f"delivery {delivery_id} is still being attempted")
        try:
            self.endpoints.get(tenant_id, current.endpoint_id)
        except NotFoundError as exc:
            raise ConflictError(f"endpoint {current.endpoint_id} was deleted; nothing to replay to") from exc
        saved = self.deliveries.save(current.replayed(self.clock.now()))
        return self._queue_next(saved)

    def deliveries_of(
        self, tenant_id: str, status: str | None, endpoint_id: str | None, cursor: str | None, limit: int
    ) -> DeliveryPage:
        return self.deliveries.page(tenant_id, status, endpoint_id, cursor, limit)

    def delivery(self, tenant_id: str, delivery_id: str) -> Delivery:
        return self.deliveries.get(tenant_id, delivery_id)

    # --- helpers ---------------------------------------------------------------------------------------------

    def _queue_next(self, delivery: Delivery) -> Delivery:
        """Send the message for the next attempt unless one was sent; a lost race only duplicates a message."""
        if not delivery.needs_message:
            return delivery
        due = self._real_epoch(delivery.next_attempt_at or self.clock.now())
        message = DeliveryMessage(
            tenant_id=delivery.tenant_id,
            delivery_id=delivery.delivery_id,
            run=delivery.run,
            attempt=delivery.attempts_in_run,
            not_before=due,
            payload=json.loads(delivery.payload),
        )
        wait = due - self.clock.real_now().timestamp()
        self.queue.enqueue(message, max(0, min(MAX_QUEUE_DELAY, math.floor(wait))))
        return self._save(delivery.marked_queued()) or delivery

    def _save(self, delivery: Delivery) -> Delivery | None:
        """None when another handler changed the delivery first: its copy of the work wins."""
        try:
            return self.deliveries.save(delivery)
        except ConflictError:
            logger.info("delivery changed meanwhile", delivery_id=delivery.delivery_id)
            return None

    def _real_epoch(self, virtual: datetime) -> float:
        """The real moment a strategy time is reached: retries run on the virtual clock's compressed schedule."""
        return self.clock.to_real(virtual).timestamp()
