"""DynamoTimelineRepository: the claim's append-only timeline in the events table (its stream feeds the webhooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.exceptions import PutError

from chalicelib.adapters.dynamodb.mapping import event_from_model, event_to_model
from chalicelib.adapters.dynamodb.models import EventModel
from chalicelib.adapters.dynamodb.transactions import new_event_id, raise_if_throttled

if TYPE_CHECKING:
    from chalicelib.domain.events import Event


class DynamoTimelineRepository:
    def events(self, claim_id: str) -> list[Event]:
        return [event_from_model(item) for item in EventModel.query(claim_id, consistent_read=True)]

    def append(self, claim_id: str, tenant_id: str, event: Event) -> None:
        try:
            event_to_model(claim_id, tenant_id, event, new_event_id()).save()
        except PutError as exc:
            raise_if_throttled(exc)
            raise
