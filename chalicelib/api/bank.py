"""Bank statements API: import CAMT.053 / MT940 files, review and assign what could not be matched."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.bank_schemas import AssignIn, AssignmentOut, BankEntryOut, ImportSummaryOut, UnmatchedPageOut
from chalicelib.api.problems import problem, problem_responses
from chalicelib.api.requests import ANY_BODY, body_of, header, page_limit, query, raw_body, tenant_of
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInputError
from chalicelib.services import bank_statements

bp = Blueprint(__name__)
# API Gateway takes 10 MB; a statement that large belongs in the statements bucket, which has no such limit.
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
STATEMENT_TYPES = ("application/xml", "text/xml", "text/plain", "application/octet-stream")


@bp.route("/v1/bank-statements", methods=["POST"], content_types=list(dict.fromkeys([*STATEMENT_TYPES, *ANY_BODY])))
@problem_responses
def import_statement() -> Response:
    request = bp.current_request
    tenant = tenant_of(request)
    media_type = (header(request, "Content-Type") or "").split(";")[0].strip().lower()
    if media_type not in STATEMENT_TYPES:
        return problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"send the statement file itself as one of {', '.join(STATEMENT_TYPES)}",
        )
    content = raw_body(request)
    if len(content) > MAX_STATEMENT_BYTES:
        raise InvalidInputError("body", f"larger than {MAX_STATEMENT_BYTES} bytes: upload it to the statements bucket")
    app = container()
    summary = bank_statements.import_statement(
        tenant.tenant_id, content, app.statement_parser, app.bank_entries, app.money
    )
    body = ImportSummaryOut.of(summary).model_dump(mode="json")
    return Response(body=body, status_code=200 if summary.duplicate else 201)


@bp.route("/v1/payments/unmatched", methods=["GET"])
@problem_responses
def list_unmatched() -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    limit = page_limit(request)
    page = bank_statements.list_unmatched(tenant.tenant_id, query(request, "cursor"), limit, container().bank_entries)
    out = UnmatchedPageOut(items=[BankEntryOut.of(e) for e in page.items], next_cursor=page.cursor)
    return out.model_dump(mode="json")


@bp.route("/v1/payments/unmatched/{entry_id}/assign", methods=["POST"], content_types=ANY_BODY)
@problem_responses
def assign_unmatched(entry_id: str) -> dict[str, object]:
    request = bp.current_request
    tenant = tenant_of(request)
    body = body_of(request, AssignIn)
    app = container()
    assignment = bank_statements.assign_entry(tenant.tenant_id, entry_id, body.target(), app.bank_entries, app.money)
    return AssignmentOut.of(assignment).model_dump(mode="json")
