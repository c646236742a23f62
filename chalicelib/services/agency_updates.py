"""Telling the collection agency what happens to a claim it holds: payments, reversals, credits, cancellations.

The events table's stream feeds `forward`: each money event of a claim whose agency file is open
becomes one update on a FIFO queue (one message group per claim, so updates arrive in order).
The queue feeds `deliver`: a signed POST to the agency, retried on the outbound webhooks' schedule
while the agency is down, then parked in the dead-letter queue, whose alarm calls an operator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.agency_updates import FileState, agency_update, forwarded, retry_delay
from chalicelib.domain.errors import ClaimNotFoundError, PermanentDeliveryError, TransientError
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.domain.agency_updates import QueuedUpdate
    from chalicelib.domain.clock import VirtualClock
    from chalicelib.domain.webhook_delivery import PublishedEvent
    from chalicelib.services.ports import AgencyClient, AgencyFileRepository, AgencyUpdateQueue, ClaimRepository


class AgencyUpdates:
    def __init__(
        self,
        files: AgencyFileRepository,
        claims: ClaimRepository,
        queue: AgencyUpdateQueue,
        agency: AgencyClient,
        clock: VirtualClock,
    ) -> None:
        self.files = files
        self.claims = claims
        self.queue = queue
        self.agency = agency
        self.clock = clock

    def forward(self, events: Iterable[PublishedEvent]) -> int:
        """Queue an update per money event of a claim at the agency; a batch read twice queues nothing twice.

        No file means the hand-over has not started, so its document will show the event. A file read
        here was opened before the event was written, or the stream is behind and the document shows the
        event too: `deliver` then drops the update, once the file says what the document covered.
        """
        queued = 0
        for event in events:
            if not forwarded(event):
                continue
            file = self.files.get(event.claim_id)
            if file is None or file.state is FileState.FAILED or file.tenant_id != event.tenant_id:
                continue
            try:
                claim = self.claims.get(event.claim_id, event.tenant_id)
            except ClaimNotFoundError:
                continue  # expired after its retention: nothing left to tell
            self.queue.enqueue(agency_update(event, file, claim))
            queued += 1
        return queued

    def deliver(self, queued: QueuedUpdate) -> str:
        """One attempt; returns what happened: delivered, covered, dropped, retry or parked."""
        update = queued.update
        file = self.files.get(update.claim_id)
        if file is None or file.state is FileState.FAILED:
            logger.info("agency update dropped: the agency does not hold the claim", update_id=update.update_id)
            return "dropped"
        if file.state is FileState.STARTED:
            return self._again(queued, "the hand-over is still being sent")
        if file.shows(update):
            return "covered"  # the stream was behind the hand-over: its document counted this event already
        try:
            self.agency.send_update(update)
        except TransientError as exc:
            return self._again(queued, str(exc))
        except PermanentDeliveryError as exc:
            return self._park(queued, str(exc))
        count("AgencyUpdates", outcome="delivered")
        return "delivered"

    def _again(self, queued: QueuedUpdate, reason: str) -> str:
        delay = retry_delay(queued.attempt)
        if delay is None:
            return self._park(queued, reason)
        logger.info(
            "agency update retried later", update_id=queued.update.update_id, attempt=queued.attempt, error=reason
        )
        self.queue.retry_later(queued, int(self.clock.real_duration(delay)))
        return "retry"

    def _park(self, queued: QueuedUpdate, reason: str) -> str:
        logger.error("agency update parked", update_id=queued.update.update_id, attempt=queued.attempt, error=reason)
        self.queue.park(queued, reason)
        count("AgencyUpdates", outcome="parked")
        return "parked"
