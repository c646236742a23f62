"""Letters as PDF in S3: one object per claim and stage, where a print service will pick them up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.errors import DomainError, PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from chalicelib.services.ports import OutboundMessage

# S3 says SlowDown (503) when throttling; RequestTimeout is a 400 that S3 itself asks to retry.
_TRANSIENT_CODES = frozenset(
    {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling", "ThrottlingException"}
)


def letter_key(tenant_id: str, claim_id: str, stage: str) -> str:
    """One key per claim and stage, so a retried send overwrites its own letter instead of adding a second one."""
    return f"letters/{tenant_id}/{claim_id}/{stage}.pdf"


class S3LetterStore:
    """MessageSender for the letter channel; posting the stored PDF is a later step."""

    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self._bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        """Created on first use so that importing and constructing never touches AWS."""
        if self._client is None:
            self._client = boto3.client("s3")
        return self._client

    def send(self, message: OutboundMessage) -> str:
        """Store the rendered PDF and return its s3:// URI as the delivery's provider id."""
        if not message.attachment:
            raise PermanentDeliveryError(f"letter for claim {message.claim_id} has no PDF attached")
        key = letter_key(message.tenant_id, message.claim_id, message.stage)
        try:
            self.client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=message.attachment,
                ContentType="application/pdf",
                ServerSideEncryption="AES256",
                Metadata={"claim_id": message.claim_id, "tenant_id": message.tenant_id, "stage": message.stage},
            )
        except (ClientError, ParamValidationError, BotoConnectionError, HTTPClientError) as exc:
            raise _delivery_error(exc) from exc
        return f"s3://{self._bucket}/{key}"


def _delivery_error(exc: Exception) -> DomainError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        text = f"S3 {code}: {error.get('Message', '')}"
        if code in _TRANSIENT_CODES or status == 429 or status >= 500:
            return TransientError(text)
        return PermanentDeliveryError(text)  # NoSuchBucket, AccessDenied, KMS key problems …
    if isinstance(exc, ParamValidationError):
        return PermanentDeliveryError(f"S3 refused the request before sending: {exc}")
    return TransientError(f"S3 unreachable: {exc}")
