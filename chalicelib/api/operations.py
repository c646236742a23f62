"""The API's description: one table of every public operation, built into an OpenAPI 3.1 document."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from chalicelib.api import bank_schemas as bank
from chalicelib.api import responses as out
from chalicelib.api import webhook_schemas as hooks
from chalicelib.api.bank import STATEMENT_TYPES
from chalicelib.api.openapi import HTML, JSON, NO_CONTENT, REDIRECT, Operation, Param, build_document, json, raw
from chalicelib.api.schemas import CancelIn, DisputeResolutionIn, PaymentIn, RefundIn
from chalicelib.api.webhooks import PROVIDERS
from chalicelib.contracts.claims import ClaimIn
from chalicelib.contracts.pay_actions import PayActionIn
from chalicelib.domain.claim import Status
from chalicelib.domain.languages import SUPPORTED
from chalicelib.domain.pay_actions import ACTIONS
from chalicelib.domain.webhook_delivery import DeliveryStatus

CLAIMS, BANK, PAY, INBOUND, OUTBOUND, META = "claims", "bank", "pay", "inbound webhooks", "outbound webhooks", "meta"
AUTHED = (401, 503)  # every call with an API key: the key is checked, and any repository may be busy
IDEMPOTENCY_KEY = Param("Idempotency-Key", "header", {"type": "string", "maxLength": 255}, "repeat it: nothing changes")
LIMIT = Param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25})
CURSOR = Param("cursor", "query", description="next_cursor of the previous page")
TOKEN = Param("token", "path", description="the pay link's secret, as in the claim's pay_url")
ACTION = Param("action", "path", {"type": "string", "enum": list(ACTIONS)})
LANG = Param("lang", "query", {"type": "string", "enum": list(SUPPORTED)}, "default: the debtor's language")
PAGE_NOT_FOUND = raw("text/html", description="Unknown or expired link")
PAGE_TO_CORRECT = raw("text/html", description="The page again, saying what to correct")
FORM_FIELDS = ("csrf", "lang", "date", "count", "reason", "message", "days")
PAY_FORM = raw(
    "application/x-www-form-urlencoded",
    schema={"type": "object", "properties": {name: {"type": "string"} for name in FORM_FIELDS}, "required": ["csrf"]},
    description="the page's form, with the CSRF token it carries",
)


def _claim_example() -> dict[str, Any]:
    """A claim that is valid whenever the document is built: due in two weeks."""
    debtor = {"name": "Erika Mustermann", "email": "erika@example.com", "phone": "+4915112345678"}
    debtor |= {"language": "de", "kind": "consumer", "country": "DE"}
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    return {"external_id": "INV-2024-0042", "debtor": debtor, "amount": 12345, "currency": "EUR", "due_date": due}


def _operations() -> tuple[Operation, ...]:
    claim_in = json(ClaimIn, example=_claim_example())
    return (
        # claims
        Operation(
            "POST", "/v1/claims", "create_claim", "Hand over an overdue invoice", CLAIMS, body=claim_in,
            params=(IDEMPOTENCY_KEY,), problems=(400, 409, *AUTHED),
            responses={
                201: json(out.ClaimOut, "Created; dunning has started", Location="the new claim"),
                200: json(out.ClaimOut, "Known already (the same Idempotency-Key or external_id)"),
            },
        ),
        Operation(
            "GET", "/v1/claims", "list_claims", "Claims, newest first", CLAIMS, responses={200: out.ClaimPage},
            params=(Param("status", "query", {"type": "string", "enum": [str(s) for s in Status]}), CURSOR, LIMIT),
            problems=(400, *AUTHED),
        ),
        Operation(
            "GET", "/v1/claims/{claim_id}", "get_claim", "A claim with its timeline", CLAIMS,
            responses={200: out.ClaimDetail}, problems=(404, *AUTHED),
        ),
        Operation(
            "POST", "/v1/claims/{claim_id}/payments", "add_payment", "Book a payment the merchant received", CLAIMS,
            body=PaymentIn, params=(IDEMPOTENCY_KEY,), problems=(400, 404, 409, *AUTHED),
            responses={201: json(out.ClaimOut, "Booked"), 200: json(out.ClaimOut, "Booked before (same reference)")},
        ),
        Operation(
            "POST", "/v1/claims/{claim_id}/refunds", "add_refund", "Book an over-payment paid back", CLAIMS,
            body=RefundIn, params=(IDEMPOTENCY_KEY,), problems=(400, 404, 409, *AUTHED),
            description="At most the claim's `overpaid`: what the debtor paid beyond the claim, refunded elsewhere.",
            responses={201: json(out.ClaimOut, "Booked"), 200: json(out.ClaimOut, "Booked before (same reference)")},
        ),
        Operation(
            "POST", "/v1/claims/{claim_id}/cancel", "cancel_claim", "Cancel a claim (credit note, return)", CLAIMS,
            body=CancelIn, body_required=False, responses={200: out.ClaimOut}, problems=(400, 404, 409, *AUTHED),
        ),
        Operation(
            "POST", "/v1/claims/{claim_id}/dispute/resolution", "resolve_dispute", "Decide a dispute", CLAIMS,
            body=DisputeResolutionIn, responses={200: out.ClaimOut}, problems=(400, 404, 409, *AUTHED),
        ),
        # bank statements
        Operation(
            "POST", "/v1/bank-statements", "import_statement", "Import a CAMT.053 or MT940 statement", BANK,
            body=raw(*STATEMENT_TYPES, description="the statement file itself, as the bank delivered it"),
            problems=(400, 409, 415, *AUTHED),
            responses={
                201: json(bank.ImportSummaryOut, "Imported: credits matched to claims, the rest put on review"),
                200: json(bank.ImportSummaryOut, "Imported before: nothing changed"),
            },
        ),
        Operation(
            "GET", "/v1/payments/unmatched", "list_unmatched", "Credits waiting for review", BANK,
            params=(CURSOR, LIMIT), responses={200: bank.UnmatchedPageOut}, problems=(400, *AUTHED),
        ),
        Operation(
            "POST", "/v1/payments/unmatched/{entry_id}/assign", "assign_unmatched", "Assign a credit to claims", BANK,
            body=bank.AssignIn, responses={200: bank.AssignmentOut}, problems=(400, 404, 409, *AUTHED),
        ),
        # outbound webhooks
        Operation(
            "POST", "/v1/webhook-endpoints", "create_endpoint", "Subscribe a URL to claim events", OUTBOUND,
            body=hooks.WebhookEndpointIn, problems=(400, 409, *AUTHED),
            responses={201: json(hooks.WebhookEndpointCreatedOut, "Subscribed", Location="the endpoint")},
        ),
        Operation(
            "GET", "/v1/webhook-endpoints", "list_endpoints", "The tenant's webhook endpoints", OUTBOUND,
            responses={200: hooks.WebhookEndpointListOut}, problems=AUTHED,
        ),
        Operation(
            "GET", "/v1/webhook-endpoints/{endpoint_id}", "get_endpoint", "A webhook endpoint", OUTBOUND,
            responses={200: hooks.WebhookEndpointOut}, problems=(404, *AUTHED),
        ),
        Operation(
            "DELETE", "/v1/webhook-endpoints/{endpoint_id}", "delete_endpoint", "Unsubscribe", OUTBOUND,
            responses={204: NO_CONTENT}, problems=(404, *AUTHED),
        ),
        Operation(
            "GET", "/v1/webhooks/deliveries", "list_deliveries", "Deliveries of events, newest first", OUTBOUND,
            params=(
                Param("status", "query", {"type": "string", "enum": [str(s) for s in DeliveryStatus]}),
                Param("endpoint_id", "query"), CURSOR, LIMIT,
            ),
            responses={200: hooks.WebhookDeliveryListOut}, problems=(400, *AUTHED),
        ),
        Operation(
            "GET", "/v1/webhooks/deliveries/{delivery_id}", "get_delivery", "A delivery with its attempts", OUTBOUND,
            responses={200: hooks.WebhookDeliveryOut}, problems=(404, *AUTHED),
        ),
        Operation(
            "POST", "/v1/webhooks/deliveries/{delivery_id}/replay", "replay_delivery", "Deliver again", OUTBOUND,
            responses={202: json(hooks.WebhookDeliveryOut, "Accepted: a fresh run of attempts is queued")},
            problems=(404, 409, *AUTHED),
        ),
        # inbound webhooks
        Operation(
            "POST", "/v1/webhooks/{tenant_id}/{provider}", "receive_webhook", "A PSP's or shop's event", INBOUND,
            auth=False, description="Authenticated by the sender's signature header, checked with the tenant's secret.",
            params=(Param("provider", "path", {"type": "string", "enum": list(PROVIDERS)}),),
            body=raw(JSON, schema={}, description="the sender's payload, byte for byte as signed"),
            responses={200: (json(out.WebhookReceipt), raw("text/plain", description="adyen: [accepted]"))},
            problems=(400, 401, 404, 409, 503),
        ),
        # the debtor's pay page
        Operation(
            "GET", "/pay/assets/pay.css", "stylesheet", "The pay page's stylesheet", PAY, auth=False,
            responses={200: raw("text/css", description="CSS")},
        ),
        Operation(
            "GET", "/pay/{token}", "pay_page", "The pay page (HTML, works without JavaScript)", PAY, auth=False,
            params=(
                TOKEN, LANG, Param("instalments", "query", description="preview a plan of this many instalments"),
                Param("done", "query", description="the action just completed: shows its confirmation"),
            ),
            responses={200: HTML, 400: PAGE_TO_CORRECT, 404: PAGE_NOT_FOUND},
        ),
        Operation(
            "POST", "/pay/{token}/{action}", "pay_page_action", "A form of the pay page", PAY, auth=False,
            body=PAY_FORM, params=(TOKEN, ACTION),
            responses={
                303: REDIRECT, 404: PAGE_NOT_FOUND,
                400: PAGE_TO_CORRECT,
                403: raw("text/html", description="The page again: the form's CSRF token or Origin did not check out"),
                429: raw("text/html", description="The page again: too many of this action for the link; Retry-After"),
            },
        ),
        Operation(
            "GET", "/v1/pay/{token}", "pay_json", "The pay page as JSON, for a shop's own page", PAY, auth=False,
            params=(TOKEN, LANG), responses={200: out.PayPageOut}, problems=(404, 503),
        ),
        Operation(
            "POST", "/v1/pay/{token}/{action}", "pay_json_action", "The pay page's actions, as JSON", PAY, auth=False,
            body=PayActionIn, body_required=False, params=(TOKEN, ACTION),
            responses={200: out.PayActionOut}, problems=(400, 404, 409, 429, 503),
        ),
        Operation(
            "GET", "/v1/openapi.json", "openapi_document", "This document", META, auth=False,
            responses={200: out.OpenApiDocument},
        ),
    )  # fmt: skip


@functools.cache
def document() -> dict[str, Any]:
    """Built on first request, then kept: the table cannot change while the process lives."""
    return build_document(
        _operations(),
        title="Mahnwerk",
        version="1",
        description="Dunning as a service: hand over overdue invoices and follow them to payment. Errors: RFC 9457.",
    )
