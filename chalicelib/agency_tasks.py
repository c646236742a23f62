"""Lambda functions of the agency updates: the events stream queues them, the FIFO queue delivers them."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.observability import fresh_log_context, logger, metrics, tracer

bp = Blueprint(__name__)


@bp.lambda_function(name="forward_agency_updates")
@fresh_log_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def forward_agency_updates(event: dict[str, Any], context: Any) -> dict[str, int]:
    """A failure raises: the stream hands the whole batch again, and the FIFO queue drops what it has already."""
    from chalicelib.adapters.webhooks.stream_records import published_events

    events = published_events(event)
    queued = container().agency_updates.forward(events)
    if queued:
        logger.info("agency updates queued", events=len(events), updates=queued)
    return {"events": len(events), "updates": queued}


@bp.lambda_function(name="deliver_agency_updates")
@fresh_log_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def deliver_agency_updates(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """SQS partial batch response; on a FIFO queue the records after a failed one return too, to keep their order."""
    from chalicelib.adapters.agency.sqs_updates import queued_update

    service = container().agency_updates
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId"))
        if failures:
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            queued = queued_update(record)
            with logger.append_context_keys(tenant_id=queued.update.tenant_id, claim_id=queued.update.claim_id):
                outcome = service.deliver(queued)
        except Exception:  # noqa: BLE001 - reported, so the queue hands this record again
            logger.exception("agency update crashed", message_id=message_id)
            outcome = "retry"
        if outcome == "retry":
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
