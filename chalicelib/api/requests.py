"""Reading a request: the caller's tenant from its API key, and a size-checked, validated body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from chalicelib.api.problems import UnauthorizedError
from chalicelib.bootstrap import container
from chalicelib.contracts import json_body
from chalicelib.domain.errors import InvalidInputError
from chalicelib.services.tenants import authenticate

if TYPE_CHECKING:
    from chalice.app import Request

    from chalicelib.domain.tenant import Tenant

MAX_BODY_BYTES = 64 * 1024
DEFAULT_PAGE, MAX_PAGE = 25, 100
# Every POST accepts these so a wrong Content-Type gets our problem+json, not Chalice's bare 415.
ANY_BODY = ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]
M = TypeVar("M", bound=BaseModel)


def tenant_of(request: Request) -> Tenant:
    scheme, _, key = (header(request, "Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise UnauthorizedError("send 'Authorization: Bearer <API key>'")
    tenant = authenticate(key.strip(), container().tenants)
    if tenant is None:
        raise UnauthorizedError("unknown API key")
    return tenant


def body_of(request: Request, model: type[M]) -> M:
    raw = raw_body(request)
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInputError("body", f"larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise InvalidInputError("body", "a JSON object is required")
    json_body.loads(raw)  # deep nesting, NaN and absurd numbers are refused by one reader, before a model meets them
    return model.model_validate_json(raw)


def header(request: Request, name: str) -> str | None:
    value = headers_of(request).get(name.lower(), "")
    return value.strip() or None


def headers_of(request: Request) -> dict[str, str]:
    """Lower-cased names, as HTTP/2 and API Gateway deliver them."""
    return {str(k).lower(): str(v) for k, v in dict(request.headers or {}).items()}


def raw_body(request: Request) -> bytes:
    raw = request.raw_body or b""
    return raw.encode() if isinstance(raw, str) else bytes(raw)


def page_limit(request: Request) -> int:
    """`?limit=` of a listing: 1 to MAX_PAGE, default DEFAULT_PAGE."""
    raw = query(request, "limit")
    if raw is None:
        return DEFAULT_PAGE
    if not (raw.isascii() and raw.isdecimal()) or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidInputError("limit", f"an integer from 1 to {MAX_PAGE}")
    return int(raw)


def query(request: Request, name: str) -> str | None:
    params: dict[str, Any] = dict(request.query_params or {})
    value = params.get(name)
    return str(value) if value is not None else None
