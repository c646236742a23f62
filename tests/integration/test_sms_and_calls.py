"""End User Messaging SMS and Voice v2: request shapes (botocore Stubber) and error classification."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from chalicelib.adapters.messaging.sms_voice import DEFAULT_VOICE, VOICES, SmsSender, VoiceCaller, voice_for
from chalicelib.domain.errors import PermanentDeliveryError, TransientError
from chalicelib.domain.ladder import Channel
from tests.integration.adapters import ORIGINATION, REGION, a_message, free_port, stubbed

pytestmark = pytest.mark.integration


# --- SMS and calls: End User Messaging SMS and Voice v2 ------------------------------------------------------------


def test_sms_is_sent_as_transactional_text_with_the_claim_in_its_context() -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    stubber.add_response(
        "send_text_message",
        {"MessageId": "sms-1"},
        {
            "DestinationPhoneNumber": "+4917012345678",
            "OriginationIdentity": ORIGINATION,
            "MessageBody": "Rechnung 4711 ist offen: https://pay.example/p/abc",
            "MessageType": "TRANSACTIONAL",
            "Context": {"claim_id": "01JCLAIM0000000000000000AA", "tenant_id": "shop-1", "stage": "sms"},
            "ConfigurationSetName": "mahnwerk-sms",
        },
    )
    sender = SmsSender(ORIGINATION, client=client, configuration_set="mahnwerk-sms")

    with stubber:
        message_id = sender.send(
            a_message(
                channel=Channel.SMS,
                stage="sms",
                to="+4917012345678",
                body="Rechnung 4711 ist offen: https://pay.example/p/abc",
            )
        )

    assert message_id == "sms-1"
    stubber.assert_no_pending_responses()


def test_german_call_speaks_the_ssml_with_a_german_voice() -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    ssml = "<speak>Guten Tag, hier ist <break time='300ms'/> Shop GmbH.</speak>"
    stubber.add_response(
        "send_voice_message",
        {"MessageId": "call-1"},
        {
            "DestinationPhoneNumber": "+4917012345678",
            "OriginationIdentity": ORIGINATION,
            "MessageBody": ssml,
            "MessageBodyTextType": "SSML",
            "VoiceId": "VICKI",
            "Context": {"claim_id": "01JCLAIM0000000000000000AA", "tenant_id": "shop-1", "stage": "call"},
        },
    )

    with stubber:
        message_id = VoiceCaller(ORIGINATION, client=client).send(
            a_message(channel=Channel.CALL, stage="call", to="+4917012345678", language="de-DE", ssml=ssml)
        )

    assert message_id == "call-1"
    stubber.assert_no_pending_responses()


def test_english_call_without_ssml_reads_the_plain_text_with_an_english_voice() -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    stubber.add_response(
        "send_voice_message",
        {"MessageId": "call-2"},
        {
            "DestinationPhoneNumber": "+447700900123",
            "OriginationIdentity": ORIGINATION,
            "MessageBody": "Hello, your invoice 4711 is overdue.",
            "MessageBodyTextType": "TEXT",
            "VoiceId": "JOANNA",
            "Context": {"claim_id": "01JCLAIM0000000000000000AA", "tenant_id": "shop-1", "stage": "call"},
        },
    )

    with stubber:
        VoiceCaller(ORIGINATION, client=client).send(
            a_message(
                channel=Channel.CALL,
                stage="call",
                to="+447700900123",
                language="en",
                body="Hello, your invoice 4711 is overdue.",
                ssml=None,
            )
        )

    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, TransientError),
        ("InternalServerException", 500, TransientError),
        ("ValidationException", 400, PermanentDeliveryError),
        ("AccessDeniedException", 403, PermanentDeliveryError),
        ("ResourceNotFoundException", 404, PermanentDeliveryError),
    ],
)
def test_sms_provider_errors_split_into_retryable_and_permanent(
    code: str, status: int, expected: type[Exception]
) -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    stubber.add_client_error("send_text_message", service_error_code=code, http_status_code=status)

    with stubber, pytest.raises(expected, match=code) as raised:
        SmsSender(ORIGINATION, client=client).send(a_message(channel=Channel.SMS, to="+4917012345678"))

    assert raised.value.__cause__ is not None


def test_call_to_a_number_that_opted_out_fails_permanently_and_says_why() -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    stubber.add_client_error(
        "send_voice_message",
        service_error_code="ConflictException",
        http_status_code=400,
        modeled_fields={"Reason": "DESTINATION_PHONE_NUMBER_OPTED_OUT"},
    )

    with stubber, pytest.raises(PermanentDeliveryError, match="DESTINATION_PHONE_NUMBER_OPTED_OUT"):
        VoiceCaller(ORIGINATION, client=client).send(a_message(channel=Channel.CALL, to="+4917012345678"))


def test_sms_to_a_debtor_without_a_phone_number_fails_permanently_before_anything_is_sent() -> None:
    client, stubber = stubbed("pinpoint-sms-voice-v2")
    stubber.add_response("send_text_message", {"MessageId": "never"})

    with stubber, pytest.raises(PermanentDeliveryError, match="DestinationPhoneNumber"):
        SmsSender(ORIGINATION, client=client).send(a_message(channel=Channel.SMS, to=""))


def test_every_call_voice_is_one_the_service_knows() -> None:
    # botocore does not check enums client-side, so a misspelt voice would only fail in AWS.
    client, _ = stubbed("pinpoint-sms-voice-v2")
    known = set(client.meta.service_model.shape_for("VoiceId").enum)

    assert {*VOICES.values(), DEFAULT_VOICE} <= known
    assert voice_for("de-AT") in {"VICKI", "MARLENE", "HANS"}
    assert voice_for("en_GB") == "AMY"
    assert voice_for("xx") == DEFAULT_VOICE


def test_sms_provider_that_cannot_be_reached_is_worth_a_retry() -> None:
    client = boto3.client(
        "pinpoint-sms-voice-v2",
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )

    with pytest.raises(TransientError, match="unreachable"):
        SmsSender(ORIGINATION, client=client).send(a_message(channel=Channel.SMS, to="+4917012345678"))
