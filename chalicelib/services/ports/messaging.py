"""Ports of talking to the debtor: the senders, and the reservations that make a message go once."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.domain.ladder import Channel

if TYPE_CHECKING:
    from chalicelib.domain.events import Event


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one debtor on one channel, fully rendered."""

    claim_id: str
    tenant_id: str
    stage: str
    channel: Channel
    to: str  # email address, E.164 phone number, or postal name for letters
    subject: str
    body: str  # plain text; for calls the text that is spoken
    language: str
    html: str | None = None  # email only
    ssml: str | None = None  # calls only
    attachment: bytes | None = None  # letters: the PDF
    sender: str | None = None  # the tenant's name, shown as the sender
    # Virtual time at which the send was committed (after the last checks, right before the provider call):
    # the message's time on the timeline and in the local outbox.
    sent_at: datetime | None = None


class MessageSender(Protocol):
    def send(self, message: OutboundMessage) -> str:
        """Deliver the message and return the provider's message id (or the letter's storage key).

        Raises TransientError when retrying may help (throttling, 5xx, timeouts) and
        PermanentDeliveryError when it will not (invalid address, opted out).
        """
        ...


class MessageDeliveryRepository(Protocol):
    """The debtor's messages (ladder stages and notices), each reserved before it is sent and recorded after.

    Not to be confused with outbound webhook deliveries (DeliveryRepository).
    """

    def reserve_delivery(self, claim_id: str, stage: str, channel: str) -> None:
        """Claim the right to send this stage on this channel.

        One conditional transaction: the claim must still be contactable and no delivery may
        exist for the same stage and channel. Raises ClaimClosedError or AlreadyDoneError.
        """
        ...

    def reserve_notice(self, claim_id: str, key: str) -> None:
        """A notice is sent whatever the claim's status, but only once per key (AlreadyDoneError)."""
        ...

    def complete_delivery(
        self, claim_id: str, tenant_id: str, stage: str, channel: str, provider_id: str, event: Event
    ) -> None:
        """Mark the reservation sent and append its event, together."""
        ...

    def release_delivery(self, claim_id: str, tenant_id: str, stage: str, channel: str, event: Event) -> None:
        """The provider said no before sending: free the slot so a retry may send, and append the event."""
        ...


@dataclass(frozen=True)
class QueuedNotice:
    """A notice that could not go at once: outside the debtor's contact window, or its provider was down.

    The queue carries what the notice is and when it may go; the claim and the wording are read again when it
    goes, so it shows the balance of that moment. Its key still makes it go once (reserve_notice).
    """

    claim_id: str
    tenant_id: str
    kind: str
    key: str
    not_before: float  # real Unix time; the virtual clock's moment converted (VirtualClock.to_real)
    facts: dict[str, Any] = field(default_factory=dict)  # JSON values: ISO dates, instalments as dicts, amounts
    to_merchant: bool = False
    failures: int = 0  # provider failures so far: each waits longer, and the last one gives up
    asked_at: str = ""  # virtual time (ISO) it was first asked for: notices due together go in that order

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, body: str) -> QueuedNotice:
        data = json.loads(body)
        return cls(
            claim_id=str(data["claim_id"]),
            tenant_id=str(data["tenant_id"]),
            kind=str(data["kind"]),
            key=str(data["key"]),
            not_before=float(data["not_before"]),
            facts=dict(data.get("facts") or {}),
            to_merchant=bool(data.get("to_merchant")),
            failures=int(data.get("failures") or 0),
            asked_at=str(data.get("asked_at") or ""),
        )


class NoticeQueue(Protocol):
    def enqueue(self, message: QueuedNotice, delay_seconds: int) -> None:
        """Hand the notice to the `notices` queue, hidden for `delay_seconds` (SQS hides for 15 minutes at most:

        the consumer then enqueues it again until `not_before`). TransientError when the queue refuses it.
        """
        ...
