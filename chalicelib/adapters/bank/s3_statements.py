"""Statement files uploaded to the statements bucket, and the S3 notifications that announce them."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import boto3
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from chalicelib.domain.errors import InvalidInputError, NotFoundError, TransientError

MAX_STATEMENT_BYTES = 50 * 1024 * 1024  # a year of a busy account in CAMT; more is not a statement
_GONE = frozenset({"NoSuchKey", "NoSuchBucket", "404", "NotFound"})
# S3 says SlowDown (503) when throttling; RequestTimeout is a 400 that S3 itself asks to retry.
_TRANSIENT = frozenset(
    {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling", "ThrottlingException"}
)


class S3StatementStore:
    """StatementStore over S3; the client is created on first use so nothing touches AWS at import."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("s3")
        return self._client

    def read(self, bucket: str, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=bucket, Key=key)
            if int(response.get("ContentLength") or 0) > MAX_STATEMENT_BYTES:
                response["Body"].close()
                raise InvalidInputError("body", f"s3://{bucket}/{key} is larger than {MAX_STATEMENT_BYTES} bytes")
            return bytes(response["Body"].read())
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if code in _GONE:
                raise NotFoundError(f"s3://{bucket}/{key} does not exist") from exc
            if code in _TRANSIENT or status >= 500:
                raise TransientError(f"S3 is busy: {code}") from exc
            raise
        except (BotoConnectionError, HTTPClientError) as exc:
            raise TransientError(f"S3 unreachable: {exc}") from exc


def objects_in_notification(body: str) -> list[tuple[str, str]]:
    """(bucket, key) of every object an S3 event notification announces as created.

    S3 sends a test event when the notification is configured; it names no object. Keys arrive
    URL-encoded with '+' for spaces ("Kontoauszug+M%C3%A4rz.xml").
    """
    try:
        message = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidInputError("body", "not an S3 event notification") from exc
    if not isinstance(message, dict) or message.get("Event") == "s3:TestEvent":
        return []
    found = []
    for record in message.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = record.get("s3") or {}
        bucket, key = (s3.get("bucket") or {}).get("name"), (s3.get("object") or {}).get("key")
        if bucket and key:
            found.append((str(bucket), urllib.parse.unquote_plus(str(key))))
    return found
