"""Reading a request: the caller's tenant from its API key, and a size-checked, validated body."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from chalicelib.api.problems import UnauthorizedError
from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInputError
from chalicelib.services.tenants import authenticate

if TYPE_CHECKING:
    from chalice.app import Request

    from chalicelib.domain.tenant import Tenant

MAX_BODY_BYTES = 64 * 1024
# Every POST accepts these so a wrong Content-Type gets our problem+json, not Chalice's bare 415.
ANY_BODY = ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]
M = TypeVar("M", bound=BaseModel)


def tenant_of(request: Request) -> Tenant:
    header = (request.headers or {}).get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise UnauthorizedError("send 'Authorization: Bearer <API key>'")
    tenant = authenticate(key.strip(), container().tenants)
    if tenant is None:
        raise UnauthorizedError("unknown API key")
    return tenant


def body_of(request: Request, model: type[M]) -> M:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInputError("body", f"larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise InvalidInputError("body", "a JSON object is required")
    return model.model_validate_json(raw)


def header(request: Request, name: str) -> str | None:
    value = (request.headers or {}).get(name.lower())
    return value.strip() if value and value.strip() else None
