"""SMS and automated calls through AWS End User Messaging SMS and Voice (the pinpoint-sms-voice-v2 API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.errors import DomainError, PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from chalicelib.services.ports import OutboundMessage

# Polly voices from the VoiceId enum of SendVoiceMessage, keyed by language tag, then by primary subtag.
VOICES: dict[str, str] = {
    "de": "VICKI",
    "en": "JOANNA",
    "en-gb": "AMY",
    "fr": "LEA",
    "it": "BIANCA",
    "es": "LUCIA",
    "nl": "LOTTE",
    "pl": "EWA",
    "pt": "INES",
    "pt-br": "CAMILA",
    "da": "NAJA",
    "tr": "FILIZ",
}
DEFAULT_VOICE = "JOANNA"

_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "InternalServerException",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
    }
)


def voice_for(language: str) -> str:
    """A voice of the debtor's language, so that a German debtor is not called in English."""
    tag = language.strip().lower().replace("_", "-")
    return VOICES.get(tag) or VOICES.get(tag.split("-", 1)[0]) or DEFAULT_VOICE


class _EndUserMessagingSender:
    def __init__(self, origination_identity: str, client: Any | None, configuration_set: str | None) -> None:
        self._origination_identity = origination_identity
        self._client = client
        self._configuration_set = configuration_set

    @property
    def client(self) -> Any:
        """Created on first use so that importing and constructing never touches AWS."""
        if self._client is None:
            self._client = boto3.client("pinpoint-sms-voice-v2")
        return self._client

    def _common(self, message: OutboundMessage) -> dict[str, Any]:
        request: dict[str, Any] = {
            "DestinationPhoneNumber": message.to,
            "OriginationIdentity": self._origination_identity,
            # Context comes back in delivery events, which is how a receipt finds its claim.
            "Context": {"claim_id": message.claim_id, "tenant_id": message.tenant_id, "stage": message.stage},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return request

    def _call(self, operation: str, request: dict[str, Any]) -> str:
        try:
            response = getattr(self.client, operation)(**request)
        except (ClientError, ParamValidationError, BotoConnectionError, HTTPClientError) as exc:
            raise _delivery_error(exc) from exc
        return str(response["MessageId"])


class SmsSender(_EndUserMessagingSender):
    """MessageSender for the SMS channel."""

    def __init__(
        self, origination_identity: str, client: Any | None = None, configuration_set: str | None = None
    ) -> None:
        super().__init__(origination_identity, client, configuration_set)

    def send(self, message: OutboundMessage) -> str:
        """Transactional, not promotional: a payment reminder must reach numbers that refuse marketing."""
        request = self._common(message) | {"MessageBody": message.body, "MessageType": "TRANSACTIONAL"}
        return self._call("send_text_message", request)


class VoiceCaller(_EndUserMessagingSender):
    """MessageSender for the call channel: the message is read out by a Polly voice."""

    def __init__(
        self,
        origination_identity: str,
        client: Any | None = None,
        voice_id: str | None = None,
        configuration_set: str | None = None,
    ) -> None:
        super().__init__(origination_identity, client, configuration_set)
        self._voice_id = voice_id  # None: the voice follows the message's language

    def send(self, message: OutboundMessage) -> str:
        """Prefer SSML, whose pauses and spelled-out amounts make a spoken reminder understandable."""
        if message.ssml is not None:
            spoken = {"MessageBody": message.ssml, "MessageBodyTextType": "SSML"}
        else:
            spoken = {"MessageBody": message.body, "MessageBodyTextType": "TEXT"}
        request = self._common(message) | spoken | {"VoiceId": self._voice_id or voice_for(message.language)}
        return self._call("send_voice_message", request)


def _delivery_error(exc: Exception) -> DomainError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        # ConflictException carries Reason DESTINATION_PHONE_NUMBER_OPTED_OUT when the debtor sent STOP.
        reason = exc.response.get("Reason") or error.get("Reason") or ""
        text = f"End User Messaging {code}{f' ({reason})' if reason else ''}: {error.get('Message', '')}"
        if code in _TRANSIENT_CODES or status == 429 or status >= 500:
            return TransientError(text)
        # ValidationException, ConflictException (opted out), AccessDeniedException, ResourceNotFoundException,
        # ServiceQuotaExceededException (spend limit: waiting minutes for a retry will not lift it).
        return PermanentDeliveryError(text)
    if isinstance(exc, ParamValidationError):
        return PermanentDeliveryError(f"End User Messaging refused the request before sending: {exc}")
    return TransientError(f"End User Messaging unreachable: {exc}")
