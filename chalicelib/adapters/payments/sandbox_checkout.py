"""The sandbox PSP's hosted checkout, for the local stage: a page with a pay button, then a signed webhook."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ulid import ULID

from chalicelib.domain.errors import NotFoundError

if TYPE_CHECKING:
    from chalicelib.services.ports import CheckoutRequest


class SandboxCheckout:
    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._sessions: dict[str, CheckoutRequest] = {}
        self._lock = threading.Lock()

    def create_checkout(self, request: CheckoutRequest) -> str:
        session_id = f"cs_sandbox_{ULID()}"
        with self._lock:
            self._sessions[session_id] = request
        return f"{self._base_url}/_local/sandbox/checkout/{session_id}"

    def session(self, session_id: str) -> CheckoutRequest:
        with self._lock:
            request = self._sessions.get(session_id)
        if request is None:
            raise NotFoundError("no such checkout session")
        return request
