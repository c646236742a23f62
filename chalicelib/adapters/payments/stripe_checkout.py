"""Stripe Checkout: the hosted card and wallet page a debtor pays a claim on."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

import stripe

from chalicelib.domain.errors import PermanentDeliveryError, TransientError

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

    from chalicelib.services.ports import CheckoutRequest

CHECKOUT_LOCALES = frozenset({"de", "en"})
# Retrying is safe because every create carries an idempotency key; the SDK backs off between attempts.
MAX_NETWORK_RETRIES = 2


class StripeCheckout:
    """CheckoutProvider on Stripe Checkout Sessions (mode "payment", one line item per claim)."""

    def __init__(self, api_key: str, client: stripe.StripeClient | None = None) -> None:
        self._api_key = api_key
        self._client = client

    @property
    def client(self) -> stripe.StripeClient:
        """Built on first use, so importing or wiring the adapter never needs the key or the network."""
        if self._client is None:
            self._client = stripe.StripeClient(self._api_key, max_network_retries=MAX_NETWORK_RETRIES)
        return self._client

    def create_checkout(self, request: CheckoutRequest) -> str:
        """Create the session and return its URL; the same request twice (a double click) yields the same session."""
        params = checkout_params(request)
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key(request, params)}
            )
        except stripe.StripeError as exc:
            raise translated(exc) from exc
        if not session.url:
            raise PermanentDeliveryError(f"Stripe returned checkout session {session.id} without a URL")
        return session.url

    def claim_id_for_payment_intent(self, payment_intent_id: str) -> str | None:
        """The claim a payment intent pays, from the metadata the checkout put on it.

        Disputes carry only the intent's id, not its metadata; the webhook path finds their claim in the
        payments table, and this asks Stripe itself, for an intent that table does not know.
        """
        try:
            intent = self.client.v1.payment_intents.retrieve(payment_intent_id)
        except stripe.StripeError as exc:
            raise translated(exc) from exc
        metadata = intent.metadata
        return metadata["claim_id"] if metadata and "claim_id" in metadata else None


def checkout_params(request: CheckoutRequest) -> SessionCreateParams:
    """The session for one claim; the claim and tenant ride along on the session and its payment intent.

    The intent's metadata lets refunds and disputes, which Stripe reports on the charge and the
    intent rather than on the session, be traced back to the claim.
    """
    metadata = {"claim_id": request.claim_id, "tenant_id": request.tenant_id}
    language = request.language.lower().split("-", 1)[0]
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": request.currency.lower(),
                    "unit_amount": request.amount,
                    "product_data": {"name": request.description},
                },
            }
        ],
        "customer_email": request.customer_email,
        "client_reference_id": request.claim_id,
        "metadata": metadata,
        "payment_intent_data": {"metadata": dict(metadata)},
        "locale": language if language in CHECKOUT_LOCALES else "auto",
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
    }


def idempotency_key(request: CheckoutRequest, params: SessionCreateParams) -> str:
    """Claim and amount name the key; a digest of the whole request keeps it honest.

    Stripe refuses a reused key whose parameters differ (an idempotency_error), so a debtor who
    switches the page's language gets a new session instead of an error, while a double click,
    which repeats the request exactly, gets the session already created.
    """
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return f"mahnwerk-checkout-{request.claim_id}-{request.amount}-{digest}"


def translated(exc: stripe.StripeError) -> TransientError | PermanentDeliveryError:
    """Throttling, network trouble and Stripe's own 5xx/409 are worth a retry; anything else will fail again."""
    retryable: tuple[type[Any], ...] = (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError)
    message = f"Stripe {type(exc).__name__} (HTTP {exc.http_status}): {exc.user_message or exc}"
    if isinstance(exc, retryable):
        return TransientError(message)
    return PermanentDeliveryError(message)
