"""One DynamoDB request at a time: moto's backend is not safe for the many threads that write it at once."""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_original = DynamoHandler.call_action


def serialize_dynamodb() -> None:
    """One DynamoDB request at a time (idempotent).

    moto's backend iterates and changes plain dicts: a query or a transaction running while another
    request thread writes the same table fails with "dictionary changed size during iteration" (a 500
    that botocore retries, with a traceback on stderr). Real DynamoDB serialises conflicting writes
    itself; so does this lock. Each request holds it briefly now that no request is O(all items).
    """
    if getattr(DynamoHandler.call_action, "serialized", False):
        return

    @functools.wraps(_original)
    def call_action(self: DynamoHandler) -> Any:
        with _lock:
            return _original(self)

    call_action.serialized = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
