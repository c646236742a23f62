"""Outbound webhooks as rules: retry schedule, payload, subscriptions, delivery states and allowed URLs."""

from __future__ import annotations

import base64
import ipaddress
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidInputError
from .events import EventType
from .text import require_printable

# Standard Webhooks / Svix: the delay before each attempt, about 27.6 hours in all; strategy time.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_SCHEDULE)
ALL_EVENTS = "*"
MAX_ENDPOINTS = 10
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
# Names that only ever resolve inside a network; the address check catches the rest after DNS.
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")
ID_KEYS = ("event_id", "claim_id", "tenant_id")
IPV4_INSIDE_IPV6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # IPv4-compatible (deprecated), and :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "64:ff9b::/96",  # NAT64, well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # NAT64, local use (RFC 8215)
        "2002::/16",  # 6to4 (RFC 3056)
    )
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Endpoint:
    """A tenant's webhook receiver: the events it wants and the secret its deliveries are signed with."""

    endpoint_id: str
    tenant_id: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: datetime
    description: str | None = None

    def subscribes_to(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events


@dataclass(frozen=True)
class PublishedEvent:
    """One claim event as the events table's stream delivers it."""

    tenant_id: str
    claim_id: str
    event_id: str
    type: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    at: datetime  # strategy time
    status_code: int | None
    error: str | None
    duration_ms: int
    run: int = 0  # a replay starts a new run; earlier runs stay in the history

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint, with every attempt made; `version` guards concurrent handlers."""

    delivery_id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    claim_id: str
    payload: str  # the exact body, so retries and replays send the same bytes
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: tuple[Attempt, ...] = ()
    run: int = 0
    next_attempt_at: datetime | None = None
    queued: int = -1  # the attempt of this run a queue message was sent for; below attempts_in_run: none yet
    version: int = 0

    @property
    def message_id(self) -> str:
        """The webhook-id: the same for every retry and replay, so receivers can drop duplicates."""
        return f"msg_{self.event_id}"

    @property
    def attempts_in_run(self) -> int:
        return sum(1 for a in self.attempts if a.run == self.run)

    @property
    def needs_message(self) -> bool:
        """Pending with no queue message for its next attempt: a crash between two writes is healed here."""
        return self.status is DeliveryStatus.PENDING and self.queued < self.attempts_in_run

    def after(self, attempt: Attempt) -> Delivery:
        """Record an attempt of the current run; failure schedules the next one until the schedule ends."""
        attempt = replace(attempt, run=self.run)
        attempts = (*self.attempts, attempt)
        if attempt.succeeded:
            return replace(self, attempts=attempts, status=DeliveryStatus.SUCCEEDED, next_attempt_at=None)
        made = self.attempts_in_run + 1
        if made >= MAX_ATTEMPTS:
            return replace(self, attempts=attempts, status=DeliveryStatus.FAILED, next_attempt_at=None)
        return replace(self, attempts=attempts, next_attempt_at=attempt.at + RETRY_SCHEDULE[made])

    def replayed(self, now: datetime) -> Delivery:
        """A fresh run of the whole schedule; the attempts of earlier runs stay visible."""
        return replace(self, status=DeliveryStatus.PENDING, run=self.run + 1, next_attempt_at=now, queued=-1)

    def cancelled(self) -> Delivery:
        return replace(self, status=DeliveryStatus.CANCELLED, next_attempt_at=None)

    def marked_queued(self) -> Delivery:
        return replace(self, queued=self.attempts_in_run)


@dataclass(frozen=True)
class DeliveryMessage:
    """The queue message for one attempt; it carries the payload, so a parked message still holds the event."""

    tenant_id: str
    delivery_id: str
    run: int
    attempt: int
    not_before: float  # real epoch seconds; SQS delays top out at 15 minutes
    payload: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {
                "tenant_id": self.tenant_id,
                "delivery_id": self.delivery_id,
                "run": self.run,
                "attempt": self.attempt,
                "not_before": self.not_before,
                "payload": self.payload,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, body: str) -> DeliveryMessage:
        data = json.loads(body)
        return cls(
            tenant_id=str(data["tenant_id"]),
            delivery_id=str(data["delivery_id"]),
            run=int(data["run"]),
            attempt=int(data["attempt"]),
            not_before=float(data["not_before"]),
            payload=dict(data.get("payload") or {}),
        )


def delivery_id(event_id: str, endpoint_id: str) -> str:
    """Deterministic, so a stream batch read twice finds its deliveries already there; sorts by event time."""
    return f"dlv_{event_id}_{endpoint_id.removeprefix('ep_')}"


def payload(event: PublishedEvent) -> dict[str, Any]:
    """Standard Webhooks' recommended shape: type, timestamp of the event, and data."""
    ids = {"event_id": event.event_id, "claim_id": event.claim_id, "tenant_id": event.tenant_id}
    rest = {k: v for k, v in event.data.items() if k not in ID_KEYS}
    return {"type": event.type, "timestamp": iso_utc(event.at), "data": {**ids, **rest}}


def encode(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)


def iso_utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_secret(random_bytes: bytes) -> str:
    """The format standardwebhooks expects: "whsec_" and the base64 of the key."""
    if len(random_bytes) < SECRET_BYTES:
        raise ValueError(f"a signing key needs at least {SECRET_BYTES} random bytes")
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode()


def subscribed_events(events: list[str]) -> tuple[str, ...]:
    """Event types a tenant may subscribe to: the timeline's types, or "*" for all."""
    known = {str(t) for t in EventType}
    if not events:
        raise InvalidInputError("events", "at least one event type, or '*'")
    for name in events:
        if name != ALL_EVENTS and name not in known:
            raise InvalidInputError("events", f"unknown event type '{name}'; one of {', '.join(sorted(known))} or '*'")
    return tuple(dict.fromkeys(events))


def endpoint_url(url: str, local: bool) -> str:
    """Check what can be checked without the network; deployed stages also resolve the host (adapter).

    The local stack may call only this machine, so nothing posted to its API makes it reach the
    internet; deployed stages call only public HTTPS hosts (no SSRF into the VPC or metadata).
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInputError("url", f"longer than {MAX_URL_LENGTH} characters")
    # urlsplit silently drops tabs and line breaks, so a URL carrying a header (\r\nX-Evil: 1) would pass it.
    require_printable(url, "url")
    if any(char.isspace() for char in url):
        raise InvalidInputError("url", "must not contain spaces; percent-encode them as %20")
    parts = urlsplit(url)
    try:
        host = (parts.hostname or "").lower()
        _ = parts.port
    except ValueError as exc:
        raise InvalidInputError("url", "not a valid URL") from exc
    if not host or parts.scheme not in {"http", "https"}:
        raise InvalidInputError("url", "an absolute http(s) URL")
    if "@" in parts.netloc:
        raise InvalidInputError("url", "credentials in the URL are not allowed")
    if local:
        if host not in LOCAL_HOSTS:
            raise InvalidInputError("url", "the local stack delivers only to http(s)://127.0.0.1 or localhost")
        return url
    if parts.scheme != "https":
        raise InvalidInputError("url", "must use https")
    if _is_ip(host):
        if not public_address(host):
            raise InvalidInputError("url", f"'{host}' is not a public address")
    elif host in LOCAL_HOSTS or host.endswith(INTERNAL_SUFFIXES) or "." not in host:
        raise InvalidInputError("url", f"'{host}' is not a public host")
    return url


def public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), reserved and multicast addresses.

    Also for every IPv6 form that carries an IPv4 address: a NAT64 gateway, a 6to4 relay or the host's own
    stack may turn it into that IPv4 address (64:ff9b::a9fe:a9fe is 169.254.169.254), and Python's
    `is_global` calls most of them global.
    """
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in network for network in IPV4_INSIDE_IPV6):
        return False
    return ip.is_global and not ip.is_multicast


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
