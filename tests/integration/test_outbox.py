"""The local outbox that stands in for providers moto lacks, and records what real ones delivered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
import pytest

from chalicelib.adapters.messaging.outbox import LocalOutbox, OutboxSender, RecordingSender
from chalicelib.adapters.messaging.ses_email import SesEmailSender
from chalicelib.domain.errors import PermanentDeliveryError
from chalicelib.domain.ladder import Channel
from tests.integration.adapters import SENDER, a_message

pytestmark = pytest.mark.integration


# --- the local outbox ----------------------------------------------------------------------------------------------


def test_outbox_lists_messages_in_sending_order_and_filters_by_claim() -> None:
    outbox = LocalOutbox()
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    outbox.record(a_message(claim_id="A", stage="reminder"), "p-1", at)
    outbox.record(a_message(claim_id="B", stage="reminder"), "p-2", at)
    outbox.record(a_message(claim_id="A", stage="sms", channel=Channel.SMS, to="+4917012345678"), "p-3", at)

    assert [m["provider_id"] for m in outbox.list()] == ["p-1", "p-2", "p-3"]
    assert [(m["stage"], m["channel"], m["to"]) for m in outbox.list("A")] == [
        ("reminder", "email", "debtor@example.com"),
        ("sms", "sms", "+4917012345678"),
    ]
    assert outbox.list("A")[0] == {
        "claim_id": "A",
        "tenant_id": "shop-1",
        "channel": "email",
        "stage": "reminder",
        "to": "debtor@example.com",
        "subject": "Erinnerung: Rechnung 4711",
        "body": "Hallo Frau Muster, Ihre Rechnung 4711 über 49,90 € ist noch offen.",
        "sent_at": "2026-03-01T09:30:00+00:00",
        "provider_id": "p-1",
    }
    outbox.clear()
    assert outbox.list() == []


def test_outbox_keeps_every_message_sent_from_many_threads() -> None:
    outbox = LocalOutbox()
    sender = OutboxSender(outbox)

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda n: sender.send(a_message(claim_id=f"C{n}")), range(200)))

    assert len(set(ids)) == 200
    assert sorted(m["provider_id"] for m in outbox.list()) == sorted(ids)


def test_sms_and_calls_arrive_in_the_outbox_at_virtual_time() -> None:
    outbox = LocalOutbox()
    virtual_now = datetime(2026, 1, 11, 10, 0, tzinfo=UTC)
    sender = OutboxSender(outbox, clock=lambda: virtual_now)

    provider_id = sender.send(a_message(channel=Channel.SMS, stage="sms", to="+4917012345678"))

    assert provider_id.startswith("outbox-")
    [sent] = outbox.list()
    assert sent["provider_id"] == provider_id
    assert sent["channel"] == "sms"
    assert sent["sent_at"] == "2026-01-11T10:00:00+00:00"


def test_recording_sender_records_what_ses_delivered_but_not_what_it_rejected(moto_aws: None) -> None:
    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity=SENDER)
    outbox = LocalOutbox()
    virtual_now = datetime(2026, 1, 4, 8, 0, tzinfo=UTC)
    delivered = RecordingSender(SesEmailSender(SENDER, client=ses), outbox, clock=lambda: virtual_now)
    rejected = RecordingSender(SesEmailSender("unverified@elsewhere.example", client=ses), outbox, lambda: virtual_now)

    message_id = delivered.send(a_message())
    with pytest.raises(PermanentDeliveryError):
        rejected.send(a_message(claim_id="other"))

    assert [(m["claim_id"], m["provider_id"], m["sent_at"]) for m in outbox.list()] == [
        ("01JCLAIM0000000000000000AA", message_id, "2026-01-04T08:00:00+00:00")
    ]
