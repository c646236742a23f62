"""Email to debtors through Amazon SES v2, sent in the merchant's name and tagged with the claim."""

from __future__ import annotations

import re
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.errors import DomainError, PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from chalicelib.services.ports import OutboundMessage

# SES v2 answers throttling with 429 TooManyRequestsException; the others are the generic AWS retryable codes.
_TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "ServiceUnavailable",
        "InternalServerError",
        "InternalFailure",
        "RequestTimeout",
    }
)
_NOT_A_TAG_CHARACTER = re.compile(r"[^A-Za-z0-9_-]")
_TAG_MAX_LENGTH = 256


class SesEmailSender:
    """MessageSender for the email channel."""

    def __init__(self, sender_address: str, client: Any | None = None, configuration_set: str | None = None) -> None:
        # Tolerate a configured "Name <address>": the display name is the tenant's, set per message.
        self._sender_address = parseaddr(sender_address)[1] or sender_address
        self._client = client
        self._configuration_set = configuration_set

    @property
    def client(self) -> Any:
        """Created on first use so that importing and constructing never touches AWS."""
        if self._client is None:
            self._client = boto3.client("sesv2")
        return self._client

    def send(self, message: OutboundMessage) -> str:
        """Send one email; the debtor should recognise the shop, so its name is the sender's display name."""
        request = self._request(message)
        try:
            response = self.client.send_email(**request)
        except (ClientError, ParamValidationError, BotoConnectionError, HTTPClientError) as exc:
            raise _delivery_error(exc) from exc
        return str(response["MessageId"])

    def _request(self, message: OutboundMessage) -> dict[str, Any]:
        body: dict[str, Any] = {"Text": {"Data": message.body, "Charset": "UTF-8"}}
        if message.html is not None:
            body["Html"] = {"Data": message.html, "Charset": "UTF-8"}
        request: dict[str, Any] = {
            "FromEmailAddress": self._from_address(message.sender),
            "Destination": {"ToAddresses": [message.to]},
            "Content": {
                "Simple": {
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": body,
                }
            },
            "EmailTags": [
                {"Name": "claim_id", "Value": _tag_value(message.claim_id)},
                {"Name": "tenant_id", "Value": _tag_value(message.tenant_id)},
                {"Name": "stage", "Value": _tag_value(message.stage)},
            ],
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return request

    def _from_address(self, tenant_name: str | None) -> str:
        # Collapsing whitespace drops CR/LF, so a tenant name can never inject a header line.
        name = " ".join((tenant_name or "").split())
        if not name:
            return self._sender_address
        # formataddr quotes specials and MIME-encodes non-ASCII names (RFC 2047), as SES requires.
        return formataddr((f"{name} via Mahnwerk", self._sender_address))


def _tag_value(value: str) -> str:
    """SES rejects a whole message whose tags hold anything but ASCII letters, digits, '_' and '-'."""
    return _NOT_A_TAG_CHARACTER.sub("_", value)[:_TAG_MAX_LENGTH] or "none"


def _delivery_error(exc: Exception) -> DomainError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        text = f"SES {code}: {error.get('Message', '')}"
        if code in _TRANSIENT_CODES or status == 429 or status >= 500:
            return TransientError(text)
        # MessageRejected, AccountSuspendedException, SendingPausedException, NotFoundException, BadRequestException …
        return PermanentDeliveryError(text)
    if isinstance(exc, ParamValidationError):
        return PermanentDeliveryError(f"SES refused the request before sending: {exc}")
    return TransientError(f"SES unreachable: {exc}")
