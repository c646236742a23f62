"""Page cursors: DynamoDB's last evaluated key, opaque to the client, and only good for the tenant it was made for.

A cursor comes back from the client, so it is checked as hostile input before DynamoDB sees it: its key must have
exactly the attributes and types of the table or index queried (a forged {"N": …} or a missing attribute would be
a ValidationException, a 500), belong to the caller's tenant, and lie inside the query's range.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pynamodb.indexes import Index
    from pynamodb.models import Model

_NOT_OURS = "not a cursor a previous page returned"
MAX_CURSOR_LENGTH = 2048  # our keys are a few ids long; base64 of them stays far below


def encode(last_key: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last_key).encode()).decode() if last_key else None


def key_schema(model: type[Model], index: Index[Any] | None = None) -> dict[str, str]:
    """Attribute name → DynamoDB type of a page's last key: the table's key, plus the index's when one is queried."""
    attributes = list(model.get_attributes().values())
    if index is not None:
        attributes += list(index.Meta.attributes.values())
    return {a.attr_name: a.attr_type for a in attributes if a.is_hash_key or a.is_range_key}


def decode(
    cursor: str | None,
    tenant_id: str,
    schema: Mapping[str, str],
    owner_attribute: str = "tenant_id",
    starts_with: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """The key to start after; a cursor that is garbage, another tenant's, or not a key of this query is a 400.

    `starts_with` names the range key's prefix the query is bound to (e.g. a status), so a cursor from
    another filter is refused here rather than by DynamoDB.
    """
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidInputError("cursor", _NOT_OURS)
    try:
        key = json_body.loads(base64.urlsafe_b64decode(cursor.encode()), "cursor")
    except (InvalidInputError, ValueError, binascii.Error) as exc:
        raise InvalidInputError("cursor", _NOT_OURS) from exc
    if not _fits(key, schema) or key[owner_attribute][schema[owner_attribute]] != tenant_id:
        raise InvalidInputError("cursor", _NOT_OURS)
    for name, prefix in (starts_with or {}).items():
        if not str(key[name][schema[name]]).startswith(prefix):
            raise InvalidInputError("cursor", _NOT_OURS)
    return dict(key)


def _fits(key: Any, schema: Mapping[str, str]) -> bool:
    """Exactly the schema's attributes, each a single value of its type: {"S": "…"} for a string key."""
    if not isinstance(key, dict) or set(key) != set(schema):
        return False
    for name, kind in schema.items():
        value = key[name]
        if not isinstance(value, dict) or set(value) != {kind} or not isinstance(value[kind], str) or not value[kind]:
            return False
    return True
