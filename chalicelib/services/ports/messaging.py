"""Ports of talking to the debtor: the senders, and the reservations that make a message go once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

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
