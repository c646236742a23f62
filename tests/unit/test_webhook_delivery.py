"""Outbound webhook rules: the retry schedule, the payload, subscriptions, delivery states and allowed URLs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from chalicelib.domain.clock import VirtualClock
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.webhook_delivery import (
    MAX_ATTEMPTS,
    RETRY_SCHEDULE,
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
    public_address,
    subscribed_events,
)

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def delivery(**overrides: object) -> Delivery:
    fields: dict[str, object] = {
        "delivery_id": "dlv_1",
        "tenant_id": "demo",
        "endpoint_id": "ep_1",
        "event_id": "01EVENT",
        "event_type": "claim.paid",
        "claim_id": "01CLAIM",
        "payload": "{}",
        "created_at": AT,
        "next_attempt_at": AT,
    }
    fields.update(overrides)
    return Delivery(**fields)  # type: ignore[arg-type]


def failed_at(at: datetime) -> Attempt:
    return Attempt(at=at, status_code=503, error="HTTP 503", duration_ms=12)


def test_the_retry_schedule_starts_at_once_grows_and_covers_more_than_a_day() -> None:
    assert RETRY_SCHEDULE[0] == timedelta(0)
    assert list(RETRY_SCHEDULE) == sorted(RETRY_SCHEDULE)
    assert sum(RETRY_SCHEDULE, timedelta()) > timedelta(days=1)
    assert MAX_ATTEMPTS == 8


def test_the_schedule_runs_in_real_time_in_production_and_compressed_with_day_seconds() -> None:
    total = sum(RETRY_SCHEDULE, timedelta())
    assert VirtualClock(86400, AT).real_duration(total) == total.total_seconds()
    assert VirtualClock(0.2, AT).real_duration(total) < 0.25


def test_the_payload_has_the_standard_webhooks_shape_with_the_event_ids_in_data() -> None:
    event = PublishedEvent("demo", "01CLAIM", "01EVENT", "claim.paid", AT, {"amount": 12345, "claim_id": "forged"})

    body = payload(event)

    assert body == {
        "type": "claim.paid",
        "timestamp": "2026-03-02T09:30:00Z",
        "data": {"event_id": "01EVENT", "claim_id": "01CLAIM", "tenant_id": "demo", "amount": 12345},
    }
    assert json.loads(encode(body)) == body


def test_an_endpoint_receives_the_types_it_subscribed_to_or_everything_with_a_star() -> None:
    paid_only = Endpoint("ep_1", "demo", "http://127.0.0.1/x", ("claim.paid",), "whsec_x", AT)
    everything = Endpoint("ep_2", "demo", "http://127.0.0.1/x", ("*",), "whsec_x", AT)

    assert paid_only.subscribes_to("claim.paid")
    assert not paid_only.subscribes_to("claim.created")
    assert everything.subscribes_to("claim.created")
    assert everything.subscribes_to("some.future_event")


def test_subscriptions_name_known_event_types_or_a_star() -> None:
    assert subscribed_events(["claim.paid", "claim.paid", "*"]) == ("claim.paid", "*")
    with pytest.raises(InvalidInputError) as unknown:
        subscribed_events(["claim.exploded"])
    assert unknown.value.field == "events"
    with pytest.raises(InvalidInputError):
        subscribed_events([])


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/_local/receivers/shop", "https://localhost/hook", "http://LOCALHOST:9/x"],
)
def test_the_local_stack_delivers_to_this_machine(url: str) -> None:
    assert endpoint_url(url, local=True) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hook",
        "http://10.0.0.1/hook",
        "http://127.0.0.2/hook",
        "http://127.0.0.1.example.com/hook",
        "http://127.0.0.1@example.com/hook",
        "ftp://127.0.0.1/hook",
        "127.0.0.1/hook",
        "http://127.0.0.1:99999/hook",
    ],
)
def test_the_local_stack_refuses_every_other_destination(url: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        endpoint_url(url, local=True)
    assert refused.value.field == "url"


@pytest.mark.parametrize("url", ["https://shop.example.com/webhooks", "https://93.184.216.34:8443/hook"])
def test_deployed_stages_deliver_to_public_https_hosts(url: str) -> None:
    assert endpoint_url(url, local=False) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://shop.example.com/webhooks",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/hook",
        "https://192.168.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://metadata.google.internal/",
        "https://intranet/hook",
        "https://printer.local/hook",
    ],
)
def test_deployed_stages_refuse_plain_http_and_private_destinations(url: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        endpoint_url(url, local=False)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example.com/hook\r\nX-Injected: 1",
        "https://shop.example.com/ho\nok",
        "https://shop.example.com/\thook",
        "https://shop.example.com/hook\x00",
        "https://shop.example.com/my hook",
        "https://shop.example.com\u2028/hook",
        "https://user:secret@shop.example.com/hook",
        "https://@shop.example.com/hook",
    ],
    ids=["crlf-header", "lf", "tab", "nul", "space", "line-separator", "userinfo", "empty-userinfo"],
)
@pytest.mark.parametrize("local", [False, True], ids=["deployed", "local"])
def test_a_url_with_control_characters_whitespace_or_credentials_is_refused(url: str, local: bool) -> None:
    url = url.replace("https://shop.example.com", "http://127.0.0.1:9") if local else url
    with pytest.raises(InvalidInputError) as refused:
        endpoint_url(url, local=local)
    assert refused.value.field == "url"
    assert "\r" not in refused.value.message and "\n" not in refused.value.message


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the metadata service
        "64:ff9b::808:808",  # NAT64 of a public address: refused all the same
        "64:ff9b:1::a9fe:a9fe",
        "2002:a9fe:a9fe::1",  # 6to4
        "::a9fe:a9fe",  # IPv4-compatible
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::ffff:8.8.8.8",
        "::ffff:0:808:808",  # IPv4-translated
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_ipv6_forms_that_carry_an_ipv4_address_are_not_public(address: str) -> None:
    assert not public_address(address)
    with pytest.raises(InvalidInputError):
        endpoint_url(f"https://[{address}]/hook", local=False)


def test_resolved_addresses_count_as_public_only_outside_private_ranges() -> None:
    assert public_address("93.184.216.34")
    assert public_address("2606:2800:220:1:248:1893:25c8:1946")
    for private in ("127.0.0.1", "10.0.0.8", "172.16.0.1", "100.64.0.1", "169.254.169.254", "fd00::1", "224.0.0.1"):
        assert not public_address(private), private


def test_a_new_secret_is_a_standard_webhooks_key_that_signs_and_verifies() -> None:
    secret = new_secret(bytes(range(24)))
    signer = Webhook(secret)
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signer.sign("msg_1", now, '{"a":1}'),
    }

    assert secret.startswith("whsec_")
    assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}
    with pytest.raises(ValueError, match="random bytes"):
        new_secret(b"short")


def test_a_delivery_id_is_the_same_for_the_same_event_and_endpoint() -> None:
    assert delivery_id("01EVENT", "ep_01END") == delivery_id("01EVENT", "ep_01END") == "dlv_01EVENT_01END"
    assert delivery_id("01EVENT", "ep_01OTHER") != delivery_id("01EVENT", "ep_01END")


def test_a_failed_attempt_schedules_the_next_one_after_its_back_off() -> None:
    once = delivery().after(failed_at(AT))

    assert once.status is DeliveryStatus.PENDING
    assert once.next_attempt_at == AT + RETRY_SCHEDULE[1]
    twice = once.after(failed_at(AT + timedelta(seconds=5)))
    assert twice.next_attempt_at == AT + timedelta(seconds=5) + RETRY_SCHEDULE[2]
    assert twice.needs_message


def test_the_last_failed_attempt_fails_the_delivery_and_a_success_ends_it() -> None:
    current = delivery()
    for n in range(MAX_ATTEMPTS):
        current = current.after(failed_at(AT + timedelta(hours=n)))

    assert current.status is DeliveryStatus.FAILED
    assert current.next_attempt_at is None
    assert not current.needs_message
    succeeded = delivery().after(Attempt(AT, 204, None, 5))
    assert succeeded.status is DeliveryStatus.SUCCEEDED


def test_a_replay_starts_a_fresh_run_and_keeps_the_history() -> None:
    failed = delivery(status=DeliveryStatus.FAILED, attempts=(failed_at(AT),) * MAX_ATTEMPTS, queued=7)

    replayed = failed.replayed(AT + timedelta(days=2))

    assert replayed.status is DeliveryStatus.PENDING
    assert replayed.run == 1
    assert replayed.attempts_in_run == 0
    assert len(replayed.attempts) == MAX_ATTEMPTS
    assert replayed.needs_message
    assert replayed.after(Attempt(AT, 200, None, 3)).attempts[-1].run == 1


def test_the_webhook_id_stays_the_same_across_retries_and_replays() -> None:
    first = delivery()
    assert first.message_id == first.replayed(AT).message_id == "msg_01EVENT"


def test_a_queue_message_survives_its_json_round_trip() -> None:
    message = DeliveryMessage("demo", "dlv_1", 1, 3, 1767225600.5, {"type": "claim.paid", "data": {"x": 1}})

    assert DeliveryMessage.from_json(message.to_json()) == message
