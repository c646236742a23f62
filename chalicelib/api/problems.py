"""RFC 9457 problem+json responses, and the one place that maps domain errors to HTTP."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalice import Response
from pydantic import ValidationError

from chalicelib.domain.errors import (
    ConflictError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    SignatureError,
    TransientError,
)
from chalicelib.observability import logger

if TYPE_CHECKING:
    from collections.abc import Callable

PROBLEM_BASE = "https://mahnwerk.dev/problems/"


class UnauthorizedError(Exception):
    pass


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail, **extra}
    headers: dict[str, str | list[str]] = {"Content-Type": "application/problem+json"}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 503:
        headers["Retry-After"] = "2"
    return Response(body=body, status_code=status, headers=headers)


def invalid(field: str, message: str) -> Response:
    return problem(
        400, "invalid-input", "Invalid input", f"{field}: {message}", errors=[{"field": field, "message": message}]
    )


def from_validation_error(exc: ValidationError) -> Response:
    errors = [{"field": field_of(err["loc"]), "message": err["msg"]} for err in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(400, "invalid-input", "Invalid input", detail, errors=errors)


def field_of(loc: tuple[Any, ...]) -> str:
    """The dotted field name of a pydantic error location: debtor.phone, opt_outs.0, or body for the whole."""
    parts = [str(p) for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    return ".".join(parts) or "body"


def problem_responses(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every error a view can raise into a problem+json response; nothing leaks as a 500."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: PLR0911 - one return per kind of problem
        try:
            return view(*args, **kwargs)
        except ValidationError as exc:
            return from_validation_error(exc)
        except InvalidInputError as exc:
            return invalid(exc.field, exc.message)
        except UnauthorizedError as exc:
            return problem(401, "unauthorized", "Unauthorized", str(exc))
        except SignatureError as exc:
            return problem(401, "invalid-signature", "Invalid signature", str(exc))
        except NotFoundError as exc:
            return problem(404, "not-found", "Not found", str(exc) or "no such resource")
        except (ConflictError, IllegalTransitionError) as exc:
            return problem(409, "conflict", "Conflict", str(exc))
        except TransientError as exc:
            logger.warning("dependency unavailable", error=str(exc))
            return problem(503, "unavailable", "Service unavailable", "a dependency is busy; retry shortly")

    return wrapper
