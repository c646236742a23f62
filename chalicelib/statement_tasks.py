"""The Lambda function that imports bank statement files uploaded to the statements bucket."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.adapters.bank.s3_statements import objects_in_notification
from chalicelib.bootstrap import container
from chalicelib.domain.errors import DomainError, TransientError
from chalicelib.observability import fresh_log_context, logger, metrics
from chalicelib.services.bank_statements import import_uploaded_object

bp = Blueprint(__name__)


@bp.lambda_function(name="import_statements")
@fresh_log_context
@metrics.log_metrics
def import_statements(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """SQS records carrying S3 "object created" notifications; each file is imported for `<tenant_id>/…`.

    A record that failed for a passing reason (throttling, S3 busy) is reported back to SQS and
    delivered again (ReportBatchItemFailures); importing again is harmless. A file that can never be
    imported (not a statement, unknown tenant, removed) is logged and its record dropped: the file stays
    in the bucket, so the merchant can fix and upload it again, or an operator can look at it.
    """
    app = container()
    failures = []
    for record in event.get("Records", []):
        try:
            for bucket, key in objects_in_notification(record["body"]):
                summary = import_uploaded_object(
                    bucket, key, app.statement_store, app.tenants, app.statement_parser, app.bank_entries, app.money
                )
                logger.info("statement file imported", key=key, matched=summary.matched, unmatched=summary.unmatched)
        except TransientError as exc:
            logger.warning("statement import will be retried", message_id=record["messageId"], error=str(exc))
            failures.append({"itemIdentifier": record["messageId"]})
        except DomainError as exc:
            logger.error("statement file not imported", message_id=record["messageId"], error=str(exc))
    return {"batchItemFailures": failures}
