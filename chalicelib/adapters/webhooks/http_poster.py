"""Signed webhook POSTs: Standard Webhooks signatures (standardwebhooks), no redirects, public hosts only.

Deployed stages connect to the very address they checked (adapters/webhooks/pinning.py), so a host whose DNS
answers a public address to the check and a private one a moment later never reaches the private one.
"""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from standardwebhooks import Webhook

from chalicelib.adapters.webhooks.pinning import PinnedHostAdapter, preferred, to_address
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.webhook_delivery import endpoint_url, public_address
from chalicelib.services.ports import PostOutcome

if TYPE_CHECKING:
    from collections.abc import Callable

TIMEOUT_SECONDS = 10
USER_AGENT = "Mahnwerk-Webhooks/1"
MAX_ERROR_LENGTH = 300


def resolve(host: str, port: int | None) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HttpWebhookPoster:
    """`local`: only this machine may be called; otherwise every address the host resolves to must be public."""

    def __init__(
        self,
        local: bool,
        resolver: Callable[[str, int | None], list[str]] = resolve,
        session: requests.Session | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.local = local
        self._resolve = resolver
        self._session = session
        self._now = now

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
            self._session.trust_env = False  # no proxies or .netrc from the environment: the URL is the destination
            self._session.mount("https://", PinnedHostAdapter())
            self._session.mount("http://", PinnedHostAdapter())
        return self._session

    def vet(self, url: str) -> None:
        """Checked at registration and again before every attempt: DNS can change in between."""
        self._vetted_address(url)

    def _vetted_address(self, url: str) -> str | None:
        """The address to connect to; None on the local stage, whose hosts (127.0.0.1, localhost) need no DNS check."""
        endpoint_url(url, self.local)
        if self.local:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = self._resolve(host, parts.port)
        except OSError as exc:
            raise InvalidInputError("url", f"'{host}' does not resolve") from exc
        if not addresses or not all(public_address(a) for a in addresses):
            raise InvalidInputError("url", f"'{host}' resolves to a non-public address")
        return preferred(addresses)

    def post(self, url: str, secret: str, message_id: str, body: str) -> PostOutcome:
        started = time.monotonic()
        try:
            address = self._vetted_address(url)
        except InvalidInputError as exc:
            return PostOutcome(None, f"destination refused: {exc.message}", _ms(started))
        # Real time, not the virtual clock's: receivers check the timestamp against their own clock.
        timestamp, signature = _signed(secret, message_id, body, self._now())
        target, host = to_address(url, address) if address is not None else (url, None)
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": signature,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **({"Host": host} if host else {}),
        }
        try:
            response = self.session.post(
                target, data=body.encode(), headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True
            )
        except requests.RequestException as exc:
            return PostOutcome(None, _error(exc), _ms(started))
        response.close()  # the answer's body is not read: a receiver cannot make us download anything
        ok = 200 <= response.status_code < 300
        return PostOutcome(response.status_code, None if ok else f"HTTP {response.status_code}", _ms(started))


def _signed(secret: str, message_id: str, body: str, at: datetime) -> tuple[str, str]:
    """The timestamp header and a signature over that same second."""
    return str(int(at.timestamp())), Webhook(secret).sign(message_id, at, body)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _error(exc: Any) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
