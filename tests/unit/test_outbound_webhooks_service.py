"""The outbound webhook service over in-memory fakes: fan-out, attempts, back-off, healing, cancel, replay."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import ConflictError, InvalidInputError, NotFoundError
from chalicelib.domain.webhook_delivery import (
    MAX_ATTEMPTS,
    MAX_ENDPOINTS,
    RETRY_SCHEDULE,
    Delivery,
    DeliveryMessage,
    DeliveryStatus,
    Endpoint,
    PublishedEvent,
)
from chalicelib.services.outbound_webhooks import OutboundWebhooks
from chalicelib.services.ports import DeliveryPage, PostOutcome

pytestmark = pytest.mark.unit

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class Endpoints:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Endpoint] = {}

    def add(self, endpoint: Endpoint) -> None:
        self.items[endpoint.tenant_id, endpoint.endpoint_id] = endpoint

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        if (tenant_id, endpoint_id) not in self.items:
            raise NotFoundError(endpoint_id)
        return self.items[tenant_id, endpoint_id]

    def for_tenant(self, tenant_id: str) -> list[Endpoint]:
        return [e for (t, _), e in self.items.items() if t == tenant_id]

    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        self.get(tenant_id, endpoint_id)
        del self.items[tenant_id, endpoint_id]


class Deliveries:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Delivery] = {}

    def add(self, delivery: Delivery) -> Delivery | None:
        key = (delivery.tenant_id, delivery.delivery_id)
        if key in self.items:
            return None
        self.items[key] = replace(delivery, version=1)
        return self.items[key]

    def get(self, tenant_id: str, delivery_id: str) -> Delivery:
        if (tenant_id, delivery_id) not in self.items:
            raise NotFoundError(delivery_id)
        return self.items[tenant_id, delivery_id]

    def save(self, delivery: Delivery) -> Delivery:
        key = (delivery.tenant_id, delivery.delivery_id)
        if self.items[key].version != delivery.version:
            raise ConflictError(delivery.delivery_id)
        self.items[key] = replace(delivery, version=delivery.version + 1)
        return self.items[key]

    def page(self, tenant_id: str, status: str | None, endpoint_id: str | None, cursor: str | None, limit: int) -> Any:
        return DeliveryPage([d for (t, _), d in self.items.items() if t == tenant_id][:limit], None)

    def only(self) -> Delivery:
        [delivery] = self.items.values()
        return delivery


@dataclass
class Queue:
    sent: list[tuple[DeliveryMessage, int]] = field(default_factory=list)
    parked: list[tuple[DeliveryMessage, str]] = field(default_factory=list)

    def enqueue(self, message: DeliveryMessage, delay_seconds: int) -> None:
        self.sent.append((message, delay_seconds))

    def park(self, message: DeliveryMessage, reason: str) -> None:
        self.parked.append((message, reason))

    def take(self) -> DeliveryMessage:
        return self.sent.pop(0)[0]


@dataclass
class Poster:
    answers: list[int] = field(default_factory=list)  # status codes to answer, then 200
    posts: list[tuple[str, str, str]] = field(default_factory=list)

    def vet(self, url: str) -> None:
        pass

    def post(self, url: str, secret: str, message_id: str, body: str) -> PostOutcome:
        self.posts.append((url, message_id, body))
        status = self.answers.pop(0) if self.answers else 200
        return PostOutcome(status, None if status < 300 else f"HTTP {status}", 7)


class Clock:
    """Real time that only moves when a test moves it (production speed: strategy time is real time)."""

    def __init__(self) -> None:
        self.real = EPOCH
        self.clock = VirtualClock(86400, EPOCH, real_now=lambda: self.real)

    def sleep(self, seconds: float) -> None:
        self.real += timedelta(seconds=seconds)


@dataclass
class World:
    endpoints: Endpoints = field(default_factory=Endpoints)
    deliveries: Deliveries = field(default_factory=Deliveries)
    queue: Queue = field(default_factory=Queue)
    poster: Poster = field(default_factory=Poster)
    time: Clock = field(default_factory=Clock)
    slept: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        def sleep(seconds: float) -> None:
            self.slept.append(seconds)
            self.time.sleep(seconds)

        self.service = OutboundWebhooks(
            self.endpoints, self.deliveries, self.queue, self.poster, self.time.clock, local=True, sleep=sleep
        )

    def endpoint(self, events: tuple[str, ...] = ("*",), tenant: str = "demo") -> Endpoint:
        return self.service.register(tenant, "http://127.0.0.1:9/hooks", list(events), None)

    def deliver_next(self) -> str:
        return self.service.deliver(self.queue.take())


def event(type_: str = "claim.paid", event_id: str = "01EVENT", tenant: str = "demo") -> PublishedEvent:
    return PublishedEvent(tenant, "01CLAIM", event_id, type_, EPOCH, {"amount": 100})


def test_fan_out_creates_one_delivery_and_message_per_subscribed_endpoint_and_repeats_add_nothing() -> None:
    world = World()
    everything, paid = world.endpoint(), world.endpoint(("claim.paid",))
    world.endpoint(("claim.created",))
    world.endpoint(tenant="other")

    assert world.service.publish([event()]) == 2
    assert world.service.publish([event()]) == 0

    assert {d.endpoint_id for d in world.deliveries.items.values()} == {everything.endpoint_id, paid.endpoint_id}
    assert len(world.queue.sent) == 2
    message, delay = world.queue.sent[0]
    assert (message.attempt, message.run, delay) == (0, 0, 0)
    assert message.payload["data"]["event_id"] == "01EVENT"


def test_fan_out_sends_the_message_a_crash_left_unsent() -> None:
    world = World()
    world.endpoint()
    world.service.publish([event()])
    stored = world.deliveries.only()
    world.deliveries.items[stored.tenant_id, stored.delivery_id] = replace(stored, queued=-1)  # crashed before marking
    world.queue.sent.clear()

    world.service.publish([event()])

    assert len(world.queue.sent) == 1
    assert not world.deliveries.only().needs_message


def test_a_2xx_answer_ends_the_delivery_with_one_signed_attempt() -> None:
    world = World()
    world.endpoint()
    world.service.publish([event()])

    assert world.deliver_next() == "succeeded"

    delivery = world.deliveries.only()
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert [a.status_code for a in delivery.attempts] == [200]
    assert world.poster.posts[0][1] == "msg_01EVENT"
    assert json.loads(world.poster.posts[0][2])["type"] == "claim.paid"
    assert world.queue.sent == []


def test_failures_follow_the_schedule_then_park_the_message_and_fail_the_delivery() -> None:
    world = World()
    world.endpoint()
    world.poster.answers = [503] * MAX_ATTEMPTS
    world.service.publish([event()])

    outcomes = []
    while world.queue.sent:
        message, delay = world.queue.sent[0]
        world.time.sleep(delay)
        outcomes.append(world.deliver_next())

    attempts = [a for a in outcomes if a != "deferred"]
    assert attempts == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    delivery = world.deliveries.only()
    assert delivery.status is DeliveryStatus.FAILED
    gaps = [b.at - a.at for a, b in zip(delivery.attempts, delivery.attempts[1:], strict=False)]
    assert gaps == list(RETRY_SCHEDULE[1:])
    [(parked, reason)] = world.queue.parked
    assert parked.payload["data"]["event_id"] == "01EVENT"
    assert reason == "HTTP 503"


def test_a_delay_longer_than_sqs_allows_is_covered_in_15_minute_hops_without_attempts() -> None:
    world = World()
    world.endpoint()
    world.poster.answers = [503] * 4
    world.service.publish([event()])
    while len(world.poster.posts) < 4:  # attempts after 0 s, 5 s, 5 min and 30 min
        world.time.sleep(world.queue.sent[0][1])
        world.deliver_next()
    message, delay = world.queue.sent[0]  # then a 2-hour back-off

    hops = []
    while len(world.poster.posts) == 4:
        world.time.sleep(world.queue.sent[0][1])
        hops.append(world.deliver_next())

    assert delay == 900
    assert hops == ["deferred"] * 7 + ["succeeded"]
    assert world.queue.sent == []


def test_an_early_message_under_a_second_waits_the_rest_in_process() -> None:
    world = World()
    world.endpoint()
    world.poster.answers = [503]
    world.service.publish([event()])
    world.deliver_next()
    message, delay = world.queue.sent[0]  # 5 s back-off
    world.time.sleep(4.5)

    assert world.deliver_next() == "succeeded"
    assert world.slept == [pytest.approx(0.5)]
    assert delay == 5


def test_a_duplicate_message_makes_no_second_attempt() -> None:
    world = World()
    world.endpoint()
    world.service.publish([event()])
    message = world.queue.sent[0][0]

    world.service.deliver(message)
    assert world.service.deliver(message) == "stale"
    assert len(world.poster.posts) == 1


def test_a_deleted_endpoint_cancels_its_pending_delivery() -> None:
    world = World()
    endpoint = world.endpoint()
    world.service.publish([event()])
    world.service.delete("demo", endpoint.endpoint_id)

    assert world.deliver_next() == "cancelled"
    assert world.poster.posts == []
    assert world.deliveries.only().status is DeliveryStatus.CANCELLED
    with pytest.raises(ConflictError):
        world.service.replay("demo", world.deliveries.only().delivery_id)


def test_a_replay_runs_again_only_when_nothing_is_pending() -> None:
    world = World()
    world.endpoint()
    world.service.publish([event()])
    delivery_id = world.deliveries.only().delivery_id
    with pytest.raises(ConflictError):
        world.service.replay("demo", delivery_id)
    world.deliver_next()

    replayed = world.service.replay("demo", delivery_id)

    assert replayed.status is DeliveryStatus.PENDING
    assert world.queue.sent[0][0].run == 1
    assert world.deliver_next() == "succeeded"
    assert [a.run for a in world.deliveries.only().attempts] == [0, 1]
    with pytest.raises(NotFoundError):
        world.service.replay("other", delivery_id)


def test_a_tenant_registers_at_most_ten_endpoints_on_allowed_urls() -> None:
    world = World()
    for _ in range(MAX_ENDPOINTS):
        world.endpoint()

    with pytest.raises(ConflictError):
        world.endpoint()
    with pytest.raises(InvalidInputError):
        world.service.register("other", "https://example.com/hooks", ["*"], None)


class CrashingService:
    def deliver(self, message: DeliveryMessage) -> str:
        if message.delivery_id == "dlv_crash":
            raise RuntimeError("boom")
        return "succeeded"


def test_the_queue_handler_reports_only_the_records_that_crashed() -> None:
    from chalicelib.webhook_tasks import deliver_webhooks

    def record(message_id: str, delivery_id: str) -> dict[str, Any]:
        body = DeliveryMessage("demo", delivery_id, 0, 0, 0.0, {}).to_json()
        return {"messageId": message_id, "body": body}

    bootstrap.reset({"outbound_webhooks": CrashingService()})
    try:
        records = [record("m1", "dlv_ok"), record("m2", "dlv_crash"), {"messageId": "m3", "body": "not json"}]
        result = deliver_webhooks({"Records": records}, None)
    finally:
        bootstrap.reset()

    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}
