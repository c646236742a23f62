"""The pay page's defences: CSRF tokens bound to the pay link, a strict CSP, no caching or indexing, HTTPS only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import urlsplit

from chalicelib.domain.errors import DomainError

CSRF_MAX_AGE_SECONDS = 4 * 3600
# Where the checkout button may lead: our own routes and the PSPs' hosted checkouts.
CHECKOUT_ORIGINS = ("https://checkout.stripe.com",)
# On every answer of the API and the pay page: browsers that once reached us over HTTPS never try plain HTTP
# again for a year, so nobody on the debtor's network can strip TLS from a pay link. (Ignored over http://.)
TRANSPORT_SECURITY = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
# A pay link's page, HTML or JSON, is one debtor's invoice: no shared cache keeps it, no search engine lists it.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


class CsrfError(DomainError):
    """The form did not come from our page: a cross-site submission, or a page left open too long."""


def csrf_token(secret: str, pay_token: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return f"{issued}.{_sign(secret, pay_token, issued)}"


def verify_csrf(secret: str, pay_token: str, value: str | None, now: float | None = None) -> None:
    issued_text, _, signature = (value or "").partition(".")
    if not issued_text.isdecimal() or not signature:
        raise CsrfError("missing form token")
    issued = int(issued_text)
    current = now if now is not None else time.time()
    if not 0 <= current - issued <= CSRF_MAX_AGE_SECONDS:
        raise CsrfError("the form has expired; reload the page")
    if not hmac.compare_digest(signature, _sign(secret, pay_token, issued)):
        raise CsrfError("invalid form token")


def same_origin(headers: dict[str, str]) -> bool:
    """Browsers send Origin on POST; when they do, it must be this host (defence in depth to the token)."""
    origin = headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == headers.get("host", "")


def _sign(secret: str, pay_token: str, issued: int) -> str:
    digest = hmac.new(secret.encode(), f"csrf.{pay_token}.{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def page_headers(style_text: str) -> dict[str, str | list[str]]:
    """Only our stylesheet, the one brand <style> by hash, images, and forms to us or the checkout."""
    style_hash = base64.b64encode(hashlib.sha256(style_text.encode()).digest()).decode()
    csp = "; ".join(
        [
            "default-src 'none'",
            f"style-src 'self' 'sha256-{style_hash}'",
            "img-src 'self' data: https:",
            "form-action 'self' " + " ".join(CHECKOUT_ORIGINS),
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": csp,
        # same-origin: nothing leaks to other sites, and our own forms keep their Origin (no-referrer makes it "null")
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        **PRIVATE,
    }
