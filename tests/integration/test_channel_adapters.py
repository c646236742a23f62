"""The channel adapters against moto (SES, S3), botocore's Stubber (SMS, voice) and a local agency over HTTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.utils import parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.adapters.agency.http_agency import HttpAgencyClient
from chalicelib.adapters.agency.signature import sign, verify
from chalicelib.adapters.messaging.outbox import LocalOutbox, OutboxSender, RecordingSender
from chalicelib.adapters.messaging.s3_letters import S3LetterStore
from chalicelib.adapters.messaging.ses_email import SesEmailSender
from chalicelib.adapters.messaging.sms_voice import DEFAULT_VOICE, VOICES, SmsSender, VoiceCaller, voice_for
from chalicelib.domain.errors import PermanentDeliveryError, SignatureError, TransientError
from chalicelib.domain.ladder import Channel
from chalicelib.services.ports import OutboundMessage

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.integration

REGION = "eu-central-1"
SENDER = "dunning@mahnwerk.example"
ORIGINATION = "+4915112345678"
AGENCY_SECRET = "agency-test-secret"
PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


def a_message(**changes: Any) -> OutboundMessage:
    message = OutboundMessage(
        claim_id="01JCLAIM0000000000000000AA",
        tenant_id="shop-1",
        stage="reminder",
        channel=Channel.EMAIL,
        to="debtor@example.com",
        subject="Erinnerung: Rechnung 4711",
        body="Hallo Frau Muster, Ihre Rechnung 4711 über 49,90 € ist noch offen.",
        language="de",
        html="<p>Hallo Frau Muster, Ihre Rechnung 4711 über 49,90 € ist noch offen.</p>",
        sender="Shop GmbH",
    )
    return replace(message, **changes)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def moto_aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def stubbed(service: str) -> tuple[Any, Stubber]:
    """A real client, so that Stubber validates every request against the service model."""
    client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- email: SES v2 -------------------------------------------------------------------------------------------------


def test_email_reaches_the_debtor_with_subject_body_and_the_shop_as_sender(moto_aws: None) -> None:
    # GIVEN a verified sender identity
    ses = boto3.client("sesv2")
    ses.create_email_identity(EmailIdentity=SENDER)
    sender = SesEmailSender(SENDER, client=ses)

    # WHEN the reminder is sent
    message_id = sender.send(a_message())

    # THEN moto holds it as delivered (moto keeps the HTML part as the body when there is one)
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert sent.id == message_id
    assert sent.destinations == {"ToAddresses": ["debtor@example.com"]}
    assert sent.subject == "Erinnerung: Rechnung 4711"
    assert "Ihre Rechnung 4711 über 49,90 € ist noch offen" in sent.body
    assert parseaddr(sent.source) == ("Shop GmbH via Mahnwerk", SENDER)


def test_email_request_has_text_and_html_parts_an_encoded_sender_name_and_sanitised_tags() -> None:
    client, stubber = stubbed("sesv2")
    expected: dict[str, Any] = {
        "FromEmailAddress": "=?utf-8?q?M=C3=BCller_=26_S=C3=B6hne_GmbH_via_Mahnwerk?= <dunning@mahnwerk.example>",
        "Destination": {"ToAddresses": ["debtor@example.com"]},
        "Content": {
            "Simple": {
                "Subject": {"Data": "Erinnerung", "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": "Bitte zahlen", "Charset": "UTF-8"},
                    "Html": {"Data": "<p>Bitte zahlen</p>", "Charset": "UTF-8"},
                },
            }
        },
        "EmailTags": [
            {"Name": "claim_id", "Value": "01JCLAIM_1"},
            {"Name": "tenant_id", "Value": "shop_example_com"},
            {"Name": "stage", "Value": "final_notice"},
        ],
        "ConfigurationSetName": "mahnwerk-events",
    }
    stubber.add_response("send_email", {"MessageId": "ses-1"}, expected)
    sender = SesEmailSender(SENDER, client=client, configuration_set="mahnwerk-events")

    with stubber:
        message_id = sender.send(
            a_message(
                claim_id="01JCLAIM#1",
                tenant_id="shop.example.com",
                stage="final_notice",
                subject="Erinnerung",
                body="Bitte zahlen",
                html="<p>Bitte zahlen</p>",
                # a line break must not smuggle a header into the From line
                sender="Müller & Söhne\r\nGmbH",
            )
        )

    assert message_id == "ses-1"
    stubber.assert_no_pending_responses()
    name, _ = parseaddr(expected["FromEmailAddress"])
    assert str(make_header(decode_header(name))) == "Müller & Söhne GmbH via Mahnwerk"


def test_email_from_an_unverified_sender_fails_permanently(moto_aws: None) -> None:
    sender = SesEmailSender("unverified@mahnwerk.example", client=boto3.client("sesv2"))

    with pytest.raises(PermanentDeliveryError, match="MessageRejected"):
        sender.send(a_message())


def test_email_throttling_is_worth_a_retry() -> None:
    client, stubber = stubbed("sesv2")
    stubber.add_client_error("send_email", service_error_code="TooManyRequestsException", http_status_code=429)

    with stubber, pytest.raises(TransientError):
        SesEmailSender(SENDER, client=client).send(a_message())


# --- letters: S3 ---------------------------------------------------------------------------------------------------


def test_letter_pdf_is_stored_encrypted_under_tenant_claim_and_stage(moto_aws: None) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="letters", CreateBucketConfiguration={"LocationConstraint": REGION})
    store = S3LetterStore("letters", client=s3)

    uri = store.send(a_message(channel=Channel.LETTER, stage="final_notice", to="Erika Muster", attachment=PDF))

    key = "letters/shop-1/01JCLAIM0000000000000000AA/final_notice.pdf"
    assert uri == f"s3://letters/{key}"
    stored = s3.get_object(Bucket="letters", Key=key)
    assert stored["Body"].read() == PDF
    assert stored["ContentType"] == "application/pdf"
    assert stored["ServerSideEncryption"] == "AES256"
    assert stored["Metadata"]["claim_id"] == "01JCLAIM0000000000000000AA"
    assert stored["Metadata"]["stage"] == "final_notice"


def test_letter_without_a_pdf_fails_permanently(moto_aws: None) -> None:
    store = S3LetterStore("letters", client=boto3.client("s3"))

    with pytest.raises(PermanentDeliveryError, match="no PDF"):
        store.send(a_message(channel=Channel.LETTER, attachment=None))


def test_letter_to_a_missing_bucket_fails_permanently(moto_aws: None) -> None:
    store = S3LetterStore("no-such-letters-bucket", client=boto3.client("s3"))

    with pytest.raises(PermanentDeliveryError, match="NoSuchBucket"):
        store.send(a_message(channel=Channel.LETTER, attachment=PDF))


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


# --- the collection agency: signed HTTPS hand-over -----------------------------------------------------------------


class _AgencyHandler(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[tuple[int, dict[str, Any]]] = (201, {"reference": "AG-1"})
    delay: ClassVar[float] = 0.0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        try:
            verify(AGENCY_SECRET, dict(self.headers.items()), body, now=time.time())
        except SignatureError as exc:
            self._answer(401, {"error": str(exc)})
            return
        self.received.append({"headers": dict(self.headers.items()), "body": body})
        self._answer(*self.answer)

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt: str, *args: Any) -> None:
        pass


@pytest.fixture
def agency() -> Iterator[tuple[str, type[_AgencyHandler]]]:
    handler = type("AgencyHandler", (_AgencyHandler,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/claims", handler
    finally:
        server.shutdown()
        server.server_close()


def local_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment must not sit between us and 127.0.0.1
    return session


HANDOVER = {"handover_id": "ho_01JCLAIM", "claim": {"id": "01JCLAIM", "debtor": "Jörg Muster"}, "balance": 5240}


def test_agency_accepts_a_signed_hand_over_and_returns_its_reference(agency: tuple[str, Any]) -> None:
    url, handler = agency
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    reference = client.hand_over(HANDOVER)

    assert reference == "AG-1"
    [request] = handler.received
    assert request["headers"]["webhook-id"] == "ho_01JCLAIM"
    assert (
        request["body"]
        == ('{"balance":5240,"claim":{"debtor":"Jörg Muster","id":"01JCLAIM"},"handover_id":"ho_01JCLAIM"}').encode()
    )
    assert request["headers"]["webhook-signature"].startswith("v1,")


def test_a_retried_hand_over_keeps_its_webhook_id_so_the_agency_can_deduplicate(agency: tuple[str, Any]) -> None:
    url, handler = agency
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    client.hand_over(HANDOVER)
    client.hand_over(HANDOVER)

    assert [r["headers"]["webhook-id"] for r in handler.received] == ["ho_01JCLAIM", "ho_01JCLAIM"]


def test_without_a_reference_from_the_agency_the_webhook_id_is_the_reference(agency: tuple[str, Any]) -> None:
    url, handler = agency
    handler.answer = (200, {"status": "accepted"})
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session())

    reference = client.hand_over({"claim": {"id": "01JCLAIM"}})

    assert reference == handler.received[0]["headers"]["webhook-id"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, TransientError), (500, TransientError), (429, TransientError), (400, PermanentDeliveryError)],
)
def test_agency_answers_split_into_retryable_and_permanent(
    agency: tuple[str, Any], status: int, expected: type[Exception]
) -> None:
    url, handler = agency
    handler.answer = (status, {"error": "nope"})

    with pytest.raises(expected, match=str(status)):
        HttpAgencyClient(url, AGENCY_SECRET, session=local_session()).hand_over(HANDOVER)


def test_hand_over_signed_with_the_wrong_secret_is_refused_for_good(agency: tuple[str, Any]) -> None:
    url, handler = agency

    with pytest.raises(PermanentDeliveryError, match="401"):
        HttpAgencyClient(url, "not-the-agency-secret", session=local_session()).hand_over(HANDOVER)
    assert handler.received == []


def test_agency_that_is_down_is_worth_a_retry() -> None:
    client = HttpAgencyClient(f"http://127.0.0.1:{free_port()}/claims", AGENCY_SECRET, session=local_session())

    with pytest.raises(TransientError, match="unreachable"):
        client.hand_over(HANDOVER)


def test_agency_that_answers_too_slowly_is_worth_a_retry(agency: tuple[str, Any]) -> None:
    url, handler = agency
    handler.delay = 1.0
    client = HttpAgencyClient(url, AGENCY_SECRET, session=local_session(), timeout=0.2)

    with pytest.raises(TransientError, match="unreachable"):
        client.hand_over(HANDOVER)


# --- Standard Webhooks signatures ----------------------------------------------------------------------------------


def signed_headers(secret: str, body: bytes, timestamp: int, msg_id: str = "msg_1") -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def test_signature_reproduces_the_standard_webhooks_reference_vector() -> None:
    signature = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_tampered_body_fails_verification() -> None:
    now = 1_767_225_600
    headers = signed_headers(AGENCY_SECRET, b'{"balance":5240}', now)

    with pytest.raises(SignatureError, match="no webhook-signature matches"):
        verify(AGENCY_SECRET, headers, b'{"balance":1}', now=now)


def test_an_old_timestamp_fails_verification_even_with_a_valid_signature() -> None:
    body = b'{"balance":5240}'
    headers = signed_headers(AGENCY_SECRET, body, 1_767_225_600)

    with pytest.raises(SignatureError, match="tolerance"):
        verify(AGENCY_SECRET, headers, body, now=1_767_225_600 + 301)


def test_missing_signature_headers_fail_verification() -> None:
    with pytest.raises(SignatureError, match="webhook-signature"):
        verify(AGENCY_SECRET, {"webhook-id": "msg_1", "webhook-timestamp": "1767225600"}, b"{}", now=1_767_225_600)


def test_any_matching_signature_verifies_while_a_secret_is_rotated_and_header_case_does_not_matter() -> None:
    body = b'{"balance":5240}'
    now = 1_767_225_600
    headers = signed_headers(AGENCY_SECRET, body, now)
    rotated = {
        "Webhook-Id": headers["webhook-id"],
        "Webhook-Timestamp": headers["webhook-timestamp"],
        "Webhook-Signature": f"v1,b2xkLXNlY3JldA== {headers['webhook-signature']}",
    }

    verify(AGENCY_SECRET, rotated, body, now=now + 10)


def test_a_secret_reference_is_resolved_from_secrets_manager() -> None:
    import boto3
    from moto import mock_aws

    from chalicelib.adapters.secrets import resolve

    with mock_aws():
        arn = boto3.client("secretsmanager", region_name="eu-central-1").create_secret(
            Name="mahnwerk-agency", SecretString="s3cr3t"
        )["ARN"]
        assert resolve(arn) == "s3cr3t"
