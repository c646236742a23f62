"""Ports of the collection agency: its HTTPS interface, where each hand-over stands, and the queue of its updates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chalicelib.domain.agency_updates import AgencyFile, AgencyUpdate, QueuedUpdate


class AgencyClient(Protocol):
    def hand_over(self, payload: dict[str, Any]) -> str:
        """POST the claim with its full history to the agency; return the agency's reference."""
        ...

    def send_update(self, update: AgencyUpdate) -> None:
        """POST one update of a handed-over claim; the agency files it once per update id.

        Raises TransientError when retrying may help (unreachable, 5xx, 408, 429) and
        PermanentDeliveryError when it will not (the agency refused the request).
        """
        ...


class AgencyFileRepository(Protocol):
    """One item per claim that was handed over, or is being handed over, to the agency."""

    def open(self, file: AgencyFile) -> AgencyFile:
        """Start the hand-over; a file that exists already (a retry, a claim handed over again) stays as it is,
        unless the agency had refused it: then it starts again. Returns the file as it now stands."""
        ...

    def filed(self, claim_id: str, reference: str, covered: frozenset[str]) -> None:
        """The agency accepted the claim under its reference, with the money events its document showed:
        updates of the others may go out."""
        ...

    def refused(self, claim_id: str) -> None:
        """The agency refused the claim for good: it has nothing to update."""
        ...

    def get(self, claim_id: str) -> AgencyFile | None:
        """A consistent read: a file opened before an event was written is seen by whoever reads the event."""
        ...


class AgencyUpdateQueue(Protocol):
    """First in, first out per claim; a failed update holds back the claim's later ones until it is done."""

    def enqueue(self, update: AgencyUpdate) -> None:
        """Queued again within minutes (a stream batch read twice), the same update is dropped by the queue."""
        ...

    def retry_later(self, queued: QueuedUpdate, delay_seconds: int) -> None:
        """Put the update back for another attempt after the delay (whole real seconds)."""
        ...

    def park(self, queued: QueuedUpdate, reason: str) -> None:
        """Give up on it: the dead-letter queue keeps it with the reason, and its alarm calls an operator."""
        ...
