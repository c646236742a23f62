"""Lambda functions of outbound webhooks: the events stream fans out into deliveries, the queue delivers them."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.webhook_delivery import DeliveryMessage
from chalicelib.observability import fresh_log_context, logger, metrics, tracer

bp = Blueprint(__name__)


@bp.lambda_function(name="publish_events")
@fresh_log_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def publish_events(event: dict[str, Any], context: Any) -> dict[str, int]:
    """A failure raises: the stream hands the whole batch again, and fan-out adds nothing twice."""
    from chalicelib.adapters.webhooks.stream_records import published_events

    events = published_events(event)
    created = container().outbound_webhooks.publish(events)
    logger.info("events published", events=len(events), deliveries=created)
    return {"events": len(events), "deliveries": created}


@bp.lambda_function(name="deliver_webhooks")
@fresh_log_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def deliver_webhooks(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """SQS partial batch response: only failed records return, and the redrive policy parks repeat offenders."""
    service = container().outbound_webhooks
    failures = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId"))
        try:
            message = DeliveryMessage.from_json(record["body"])
        except Exception:  # noqa: BLE001 - one bad record must not fail its batch
            logger.exception("webhook delivery message unreadable", message_id=message_id)
            failures.append({"itemIdentifier": message_id})
            continue
        # This record's ids on its lines only: the next record, or the next invocation, starts without them.
        with logger.append_context_keys(tenant_id=message.tenant_id, delivery_id=message.delivery_id):
            try:
                service.deliver(message)
            except Exception:  # noqa: BLE001 - one bad record must not fail its batch
                logger.exception("webhook delivery crashed", message_id=message_id)
                failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
