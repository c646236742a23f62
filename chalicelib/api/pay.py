"""The debtor's pay page: /pay/{token} (HTML, works without JavaScript) and /v1/pay/{token} (JSON)."""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from chalice import Blueprint, Response
from pydantic import ValidationError

from chalicelib.api.page_security import PRIVATE, CsrfError, csrf_token, page_headers, same_origin, verify_csrf
from chalicelib.api.problems import field_of, problem, problem_responses
from chalicelib.api.requests import ANY_BODY, headers_of, query, raw_body
from chalicelib.bootstrap import container
from chalicelib.contracts import pay_actions
from chalicelib.domain.errors import InvalidInputError, NotFoundError
from chalicelib.domain.languages import written_in
from chalicelib.domain.pay_actions import ACTIONS
from chalicelib.domain.pay_limits import TooManyRequestsError
from chalicelib.services import pay_limits, self_service
from chalicelib.services.pay_page import PayPage, open_pay_page, page_json
from chalicelib.web.i18n import error_message
from chalicelib.web.render import FormError, InstalmentRow, brand_style_css, render_not_found, render_pay_page

if TYPE_CHECKING:
    from collections.abc import Callable

    from chalicelib.contracts.pay_actions import PayActionIn

bp = Blueprint(__name__)
_CSS = resources.files("chalicelib.web").joinpath("static/pay.css").read_text()


@bp.route("/pay/assets/pay.css", methods=["GET"])
def stylesheet() -> Response:
    return Response(body=_CSS, headers={"Content-Type": "text/css; charset=utf-8", "Cache-Control": "max-age=3600"})


@bp.route("/pay/{token}", methods=["GET"])
def pay_page(token: str) -> Response:
    request = bp.current_request
    try:
        page = _open(token, query(request, "lang"))
    except NotFoundError:
        return _not_found(query(request, "lang"))
    notice, wanted = query(request, "done"), query(request, "instalments")
    preview = None
    if wanted and not page.settled:
        try:
            preview = _preview(page, wanted)
        except InvalidInputError as exc:
            error = _form_error("instalments", exc.field, page.language)
            return _html(page, token, notice=notice, error=error, status=400)
    return _html(page, token, notice=notice, preview=preview)


@bp.route("/pay/{token}/{action}", methods=["POST"], content_types=ANY_BODY)
def pay_page_action(token: str, action: str) -> Response:  # noqa: PLR0911 - one answer per kind of refusal
    """A form on the page: checked, carried out, then back to the page (303) with a confirmation."""
    request = bp.current_request
    raw = raw_body(request)
    form = _form(raw) if len(raw) <= pay_actions.MAX_BODY_BYTES else {}
    try:
        page = _open(token, form.get("lang"))
    except NotFoundError:
        return _not_found(form.get("lang"))
    app = container()
    try:
        if action not in ACTIONS:
            raise NotFoundError(action)
        _require_small(raw)
        if not same_origin(headers_of(request)):
            raise CsrfError("cross-site form submission")
        verify_csrf(app.pay_token_secret, token, form.get("csrf"))
        _admit(page, token, action)
        outcome = _act(page, token, action, _typed(form))
    except TooManyRequestsError as exc:
        response = _html(page, token, error=_form_error(action, "too_many", page.language), status=429)
        response.headers = {**response.headers, "Retry-After": str(exc.retry_after)}
        return response
    except InvalidInputError as exc:
        return _html(page, token, error=_form_error(action, exc.field, page.language), status=400)
    except CsrfError:
        return _html(page, token, error=_form_error(action, "csrf", page.language), status=403)
    except NotFoundError:
        return _not_found(page.language)
    if outcome.get("url"):
        return Response(body="", status_code=303, headers={"Location": str(outcome["url"])})
    back = f"/pay/{token}?" + urlencode({"lang": page.language, "done": action})
    return Response(body="", status_code=303, headers={"Location": back})


def _private(view: Callable[..., Any]) -> Callable[..., Response]:
    """PRIVATE on every answer of a JSON pay route, its problems included: each is about one debtor's invoice."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        answer = view(*args, **kwargs)
        response = answer if isinstance(answer, Response) else Response(body=answer)
        response.headers = {**response.headers, **PRIVATE}
        return response

    return wrapper


@bp.route("/v1/pay/{token}", methods=["GET"])
@_private
@problem_responses
def pay_json(token: str) -> dict[str, Any]:
    page = _open(token, query(bp.current_request, "lang"))
    view = page_json(page, self_service.girocode(page))
    app = container()
    view["limits"] = self_service.limits_json(page, app.clock, app.checkout is not None)
    return view


@bp.route("/v1/pay/{token}/{action}", methods=["POST"])
@_private
@problem_responses
def pay_json_action(token: str, action: str) -> Response:
    """The same actions for a shop's own page. JSON only: a cross-site form cannot send it without CORS."""
    if action not in ACTIONS:
        raise NotFoundError(f"no action '{action}'")
    raw = raw_body(bp.current_request)
    _require_small(raw)
    page = _open(token, None)
    try:
        _admit(page, token, action)
    except TooManyRequestsError as exc:
        response = problem(429, "too-many-requests", "Too many requests", str(exc))
        response.headers = {**response.headers, "Retry-After": str(exc.retry_after)}
        return response
    outcome = _act(page, token, action, pay_actions.from_json(raw))
    return Response(body=outcome, status_code=200)


def _open(token: str, language: str | None) -> PayPage:
    app = container()
    return open_pay_page(token, app.claims, app.timeline, app.tenants, app.clock, language)


def _admit(page: PayPage, token: str, action: str) -> None:
    """Counted before anything is done: a refused request sends no email and fans out no webhook."""
    app = container()
    pay_limits.admit(action, token, page.claim.claim_id, app.rate_limiter, app.clock)


def _act(page: PayPage, token: str, action: str, data: PayActionIn) -> dict[str, Any]:
    return self_service.act(page, token, action, data.fields(), container().self_service)


def _preview(page: PayPage, wanted: str) -> tuple[InstalmentRow, ...]:
    count = _typed({"count": wanted}).count
    schedule = self_service.preview_instalments(page, count, container().clock)
    return tuple(InstalmentRow(i.number, i.due, i.amount) for i in schedule)


def _form(raw: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}


def _require_small(raw: bytes) -> None:
    if len(raw) > pay_actions.MAX_BODY_BYTES:
        raise InvalidInputError("body", f"larger than {pay_actions.MAX_BODY_BYTES} bytes")


def _typed(form: dict[str, str]) -> PayActionIn:
    """The page shows one error at a time, in the debtor's words: the first invalid field is the one named."""
    try:
        return pay_actions.from_form(form)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInputError(field_of(first["loc"]), first["msg"]) from exc


def _form_error(action: str, field: str, language: str) -> FormError:
    """The debtor reads plain words in their language; the JSON endpoints keep the precise developer message."""
    return FormError(action, field, error_message(action, field, language))


def _html(
    page: PayPage,
    token: str,
    notice: str | None = None,
    error: FormError | None = None,
    preview: tuple[InstalmentRow, ...] | None = None,
    status: int = 200,
) -> Response:
    app = container()
    html = render_pay_page(
        page,
        token=token,
        csrf=csrf_token(app.pay_token_secret, token),
        limits=self_service.form_limits(page, app.clock, app.checkout is not None),
        girocode_svg=self_service.girocode_svg(page),
        notice=notice,  # the page shows only the confirmations it knows (render.NOTICES)
        error=error,
        instalment_preview=preview,
    )
    return Response(body=html, status_code=status, headers=page_headers(brand_style_css(page.tenant)))


def _not_found(language: str | None) -> Response:
    html = render_not_found(written_in(language))
    return Response(body=html, status_code=404, headers=page_headers(""))
