"""The Lambda function that sends the notices waiting on the `notices` queue (contact window, provider retries)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.observability import fresh_log_context, logger, metrics
from chalicelib.services.ports import QueuedNotice

bp = Blueprint(__name__)


@bp.lambda_function(name="send_notices")
@fresh_log_context
@metrics.log_metrics
def send_notices(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """SQS partial batch response: a record that failed returns after the visibility timeout; its key sends it once."""
    app = container()
    failures = []
    readable = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId"))
        try:
            readable.append((QueuedNotice.from_json(record["body"]), message_id))
        except Exception:  # noqa: BLE001 - one bad record must not fail its batch
            logger.exception("queued notice unreadable", message_id=message_id)
            failures.append({"itemIdentifier": message_id})
    # In the order they are due, and as they were asked for: waiting out one notice's last fraction of a second
    # never delays an earlier one, and two notices due when the window opens go in the order the debtor caused them.
    for queued, message_id in sorted(readable, key=lambda item: (item[0].not_before, item[0].asked_at)):
        with logger.append_context_keys(claim_id=queued.claim_id, tenant_id=queued.tenant_id, notice=queued.kind):
            try:
                outcome = app.notices.send_queued(queued, app.claims, app.tenants)
                logger.info("queued notice handled", outcome=outcome)
            except Exception:  # noqa: BLE001 - one bad record must not fail its batch
                logger.exception("queued notice failed; SQS hands it back", message_id=message_id)
                failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
