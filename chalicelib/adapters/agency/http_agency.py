"""The collection agency's HTTPS interface: JSON POSTs signed with Standard Webhooks headers (docs/agency-interface.md).

- the hand-over: POST <agency URL>, webhook-id = handover_id;
- each later update: POST <agency URL>/<handover_id>/updates, webhook-id = update_id.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests

from chalicelib.adapters.agency.signature import sign
from chalicelib.domain.errors import PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from chalicelib.domain.agency_updates import AgencyUpdate

# 408 and 429 ask the client to come back later, exactly like a 5xx.
_RETRYABLE_STATUSES = frozenset({408, 429})


class HttpAgencyClient:
    """AgencyClient over HTTPS; the agency verifies the signature and deduplicates on webhook-id."""

    def __init__(
        self,
        url: str,
        secret: str,
        session: requests.Session | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._url = url.rstrip("/")
        self._secret = secret
        self._session = session
        self._timeout = timeout

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
        return self._session

    def hand_over(self, payload: dict[str, Any]) -> str:
        """POST the claim; a retry reuses the hand-over id as webhook-id so the agency files the claim only once."""
        msg_id = str(payload.get("handover_id") or uuid.uuid4())
        response = self._post(self._url, msg_id, payload, "hand-over")
        return _reference(response, msg_id)

    def send_update(self, update: AgencyUpdate) -> None:
        """POST one update under the claim's hand-over; a retry carries the same webhook-id and the same body."""
        self._post(
            f"{self._url}/{quote(update.handover_id, safe='')}/updates", update.update_id, update.body(), "update"
        )

    def _post(self, url: str, msg_id: str, payload: dict[str, Any], what: str) -> requests.Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
        # Real wall-clock time, never the virtual clock: the agency checks it against its own clock.
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json; charset=utf-8",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._secret, msg_id, timestamp, body),
        }
        try:
            # A redirect would turn the POST into a GET on 301/302; an agency that moved is a configuration error.
            response = self.session.post(url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TransientError(f"agency unreachable: {exc}") from exc
        except requests.RequestException as exc:
            raise PermanentDeliveryError(f"agency request failed: {exc}") from exc
        status = response.status_code
        if status >= 500 or status in _RETRYABLE_STATUSES:
            raise TransientError(f"agency answered HTTP {status}")
        if not 200 <= status < 300:
            raise PermanentDeliveryError(f"agency refused the {what}: HTTP {status} {response.text[:500]}")
        return response


def _reference(response: requests.Response, fallback: str) -> str:
    try:
        data = response.json()
    except ValueError:
        return fallback
    reference = data.get("reference") if isinstance(data, dict) else None
    return str(reference) if reference not in (None, "") else fallback
