"""Page cursors: DynamoDB's last evaluated key, opaque to the client, and only good for the tenant it was made for."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.domain.errors import InvalidInputError

_NOT_OURS = "not a cursor a previous page returned"


def encode(last_key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def decode(cursor: str | None, tenant_id: str, owner_attribute: str = "tenant_id") -> dict[str, Any] | None:
    """The key to start after; a cursor that is garbage or names another tenant's items is a 400, never a read."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        owner = key[owner_attribute]["S"]
        if not all(isinstance(v, dict) and len(v) == 1 for v in key.values()):
            raise TypeError("not DynamoDB attribute values")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise InvalidInputError("cursor", _NOT_OURS) from exc
    if owner != tenant_id:
        raise InvalidInputError("cursor", _NOT_OURS)
    return dict(key)
