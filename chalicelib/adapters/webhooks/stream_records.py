"""Claim events out of the events table's DynamoDB stream records (NEW_IMAGE), as PynamoDB stored them."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from pynamodb.attributes import UTCDateTimeAttribute

from chalicelib.domain.webhook_delivery import PublishedEvent

_deserializer = TypeDeserializer()
_at = UTCDateTimeAttribute()


def published_events(stream_event: dict[str, Any]) -> list[PublishedEvent]:
    """New timeline entries only: the events table is append-only, so MODIFY and REMOVE carry no news."""
    events = []
    for record in stream_event.get("Records", []):
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") != "INSERT" or not image:
            continue
        item = {name: _deserializer.deserialize(value) for name, value in image.items()}
        events.append(
            PublishedEvent(
                tenant_id=str(item["tenant_id"]),
                claim_id=str(item["claim_id"]),
                event_id=str(item["event_id"]),
                type=str(item["type"]),
                at=_at.deserialize(str(item["at"])),  # PynamoDB's UTCDateTimeAttribute string format
                data=json.loads(item.get("data") or "{}"),  # JSONAttribute: a JSON string
            )
        )
    return events
