"""SES v2 email and S3 letters: what reaches the provider, and how its errors are classified."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.utils import parseaddr
from typing import Any

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.adapters.messaging.s3_letters import S3LetterStore
from chalicelib.adapters.messaging.ses_email import SesEmailSender
from chalicelib.domain.errors import PermanentDeliveryError, TransientError
from chalicelib.domain.ladder import Channel
from tests.integration.adapters import PDF, REGION, SENDER, a_message, stubbed

pytestmark = pytest.mark.integration


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
