"""In-memory fakes of the collection agency's side: the agency itself, its files and its update queue.

Apart from tests/fakes.py (which builds them into InMemoryPorts) because the agency is one outside party with its
own rules: it files each update once per update id, and can be told to be busy, down or refusing.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.domain.agency_updates import AgencyFile, FileState
from chalicelib.domain.errors import PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.domain.agency_updates import AgencyUpdate, QueuedUpdate


class FakeAgency:
    """An agency that records what it receives, files each update once per update id; can be told to fail.

    `during_hand_over` runs while the agency takes a claim (after it read the document, before it answers):
    the moment a payment can race the hand-over.
    """

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.updates: list[AgencyUpdate] = []
        self.update_attempts = 0
        self.update_ids: list[str] = []  # the webhook-id of every update request, repeats included
        self.failures: list[Exception] = []
        self.update_failures: list[Exception] = []
        self.during_hand_over: Callable[[dict[str, Any]], None] | None = None
        self._lock = threading.Lock()

    def hand_over(self, payload: dict[str, Any]) -> str:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.received.append(payload)
            reference = f"AG-{len(self.received)}"
        if self.during_hand_over is not None:
            self.during_hand_over(payload)
        return reference

    def send_update(self, update: AgencyUpdate) -> None:
        with self._lock:
            self.update_attempts += 1
            self.update_ids.append(update.update_id)
            if self.update_failures:
                raise self.update_failures.pop(0)
            if all(u.update_id != update.update_id for u in self.updates):
                self.updates.append(update)

    def fail_transiently(self, times: int) -> None:
        with self._lock:
            self.failures.extend(TransientError("agency busy") for _ in range(times))

    def refuse(self) -> None:
        with self._lock:
            self.failures.append(PermanentDeliveryError("agency refuses the claim"))

    def be_down_for_updates(self, times: int) -> None:
        with self._lock:
            self.update_failures.extend(TransientError("agency answered HTTP 503") for _ in range(times))

    def refuse_updates(self) -> None:
        with self._lock:
            self.update_failures.append(PermanentDeliveryError("agency refused the update: HTTP 404"))

    def updates_of(self, claim_id: str) -> list[AgencyUpdate]:
        with self._lock:
            return [u for u in self.updates if u.claim_id == claim_id]


class InMemoryAgencyFiles:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.files: dict[str, AgencyFile] = {}

    def open(self, file: AgencyFile) -> AgencyFile:
        with self._lock:
            found = self.files.get(file.claim_id)
            if found is not None and found.state is not FileState.FAILED:
                return found
            self.files[file.claim_id] = replace(file, state=FileState.STARTED, reference=None)
            return self.files[file.claim_id]

    def filed(self, claim_id: str, reference: str, covered: frozenset[str]) -> None:
        with self._lock:
            filed = replace(self.files[claim_id], state=FileState.FILED, reference=reference, covered=covered)
            self.files[claim_id] = filed

    def refused(self, claim_id: str) -> None:
        with self._lock:
            self.files[claim_id] = replace(self.files[claim_id], state=FileState.FAILED)

    def get(self, claim_id: str) -> AgencyFile | None:
        with self._lock:
            return self.files.get(claim_id)


class FakeAgencyQueue:
    """A FIFO queue as the service sees it: what was queued (a repeat of an update id is dropped), put back, parked."""

    def __init__(self) -> None:
        self.queued: list[AgencyUpdate] = []
        self.retried: list[tuple[str, int]] = []  # (update id, delay in seconds)
        self.parked: list[tuple[AgencyUpdate, str]] = []

    def enqueue(self, update: AgencyUpdate) -> None:
        if all(u.update_id != update.update_id for u in self.queued):
            self.queued.append(update)

    def retry_later(self, queued: QueuedUpdate, delay_seconds: int) -> None:
        self.retried.append((queued.update.update_id, delay_seconds))

    def park(self, queued: QueuedUpdate, reason: str) -> None:
        self.parked.append((queued.update, reason))
