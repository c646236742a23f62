"""Turns a table of operations and the pydantic models they name into an OpenAPI 3.1 document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from chalicelib.api.responses import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
REF_TEMPLATE = "#/components/schemas/{model}"
SECURITY_SCHEME = "apiKey"

# Every error of the JSON API is a problem; these say when each status happens.
PROBLEM_WHEN = {
    400: "Invalid input: `errors` names each offending field",
    401: "Missing or unknown credentials",
    404: "No such resource (or not this tenant's)",
    409: "Conflict: the resource changed meanwhile, or the request contradicts its state",
    429: "Too many requests of this kind for the pay link or its claim; retry after `Retry-After` seconds",
    503: "A dependency is busy; retry after `Retry-After` seconds",
}
PROBLEM_HEADERS = {
    401: {"WWW-Authenticate": "Bearer"},
    429: {"Retry-After": "seconds until the pay link may act again"},
    503: {"Retry-After": "seconds to wait before retrying"},
}


@dataclass(frozen=True)
class Content:
    """A request or response body: a pydantic model as JSON, or raw content (HTML, CSS, a provider's payload)."""

    model: type[BaseModel] | None = None
    media_types: tuple[str, ...] = (JSON,)
    schema: Mapping[str, Any] | None = None
    description: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # response header → description
    example: Any = None  # a request body to show (and for schemathesis to send first)


def raw(*media_types: str, schema: Mapping[str, Any] | None = None, description: str = "") -> Content:
    return Content(media_types=media_types, schema=schema or {"type": "string"}, description=description)


def json(model: type[BaseModel], description: str = "", example: Any = None, **headers: str) -> Content:
    return Content(model, description=description, example=example, headers=headers)


PROBLEM = Content(Problem, (PROBLEM_JSON,))
HTML = raw("text/html", description="An HTML page")
REDIRECT = Content(media_types=(), description="See other", headers={"Location": "where to go next"})
NO_CONTENT = Content(media_types=(), description="Done; no content")

# A model as JSON, or its own Content; a tuple when one status has several media types (JSON or plain text).
Reply = type[BaseModel] | Content | tuple[Content, ...]


@dataclass(frozen=True)
class Param:
    name: str
    location: Literal["path", "query", "header"]
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One route and method: what it takes, who may call it, and every status it really answers with."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    responses: Mapping[int, Reply]
    problems: tuple[int, ...] = ()  # statuses answered with problem+json
    auth: bool = True  # Authorization: Bearer <tenant API key>
    body: type[BaseModel] | Content | None = None
    body_required: bool = True
    params: tuple[Param, ...] = ()
    description: str = ""

    def path_params(self) -> list[Param]:
        """Every {name} in the path is a required string unless `params` describes it more precisely."""
        declared = {p.name: p for p in self.params if p.location == "path"}
        names = re.findall(r"{(\w+)}", self.path)
        return [replace(declared.get(name, Param(name, "path")), required=True) for name in names]


class _Generator(GenerateJsonSchema):
    """Field titles repeat the field names; the document is easier to read without them."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


Refs = Mapping[tuple[Any, JsonSchemaMode], Any]  # (model, mode) → {"$ref": …}


def build_document(operations: Iterable[Operation], *, title: str, version: str, description: str) -> dict[str, Any]:
    """Models become components once and operations refer to them: the pydantic models stay the one truth."""
    ops = list(operations)
    refs, components = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "tags": [{"name": tag} for tag in dict.fromkeys(op.tag for op in ops)],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "description": "The tenant's API key"}
            },
        },
    }


def _contents(reply: Reply) -> tuple[Content, ...]:
    if isinstance(reply, tuple):
        return reply
    return (reply,) if isinstance(reply, Content) else (Content(reply),)


def _replies(op: Operation) -> dict[int, tuple[Content, ...]]:
    replies = {status: _contents(reply) for status, reply in op.responses.items()}
    for status in op.problems:
        replies[status] = (*replies.get(status, ()), PROBLEM)
    return dict(sorted(replies.items()))


def _schemas(ops: list[Operation]) -> tuple[Refs, dict[str, Any]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for op in ops:
        if op.body is not None and (model := _contents(op.body)[0].model) is not None:
            wanted[(model, "validation")] = None
        for contents in _replies(op).values():
            wanted.update({(c.model, "serialization"): None for c in contents if c.model is not None})
    refs, defs = models_json_schema(list(wanted), ref_template=REF_TEMPLATE, schema_generator=_Generator)
    return refs, dict(defs.get("$defs", {}))


def _media(content: Content, mode: JsonSchemaMode, refs: Refs) -> dict[str, Any]:
    schema = refs[(content.model, mode)] if content.model is not None else dict(content.schema or {})
    media: dict[str, Any] = {"schema": schema}
    if content.example is not None:
        media["example"] = content.example
    return dict.fromkeys(content.media_types, media)


def _operation(op: Operation, refs: Refs) -> dict[str, Any]:
    params = [*op.path_params(), *(p for p in op.params if p.location != "path")]
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{SECURITY_SCHEME: []}] if op.auth else [],
        "parameters": [_parameter(p) for p in params],
        "responses": {str(status): _response(status, contents, refs) for status, contents in _replies(op).items()},
    }
    if op.description:
        spec["description"] = op.description
    if op.body is not None:
        body = _contents(op.body)[0]
        spec["requestBody"] = {"required": op.body_required, "content": _media(body, "validation", refs)}
        if body.description:
            spec["requestBody"]["description"] = body.description
    return spec


def _parameter(param: Param) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": param.name, "in": param.location, "required": param.required}
    spec["schema"] = dict(param.schema)
    if param.description:
        spec["description"] = param.description
    return spec


def _response(status: int, contents: tuple[Content, ...], refs: Refs) -> dict[str, Any]:
    first = contents[0]
    if first.model is Problem:
        description, headers = PROBLEM_WHEN.get(status, "Problem"), PROBLEM_HEADERS.get(status, {})
    else:
        description, headers = first.description or _first_line(first.model), dict(first.headers)
    spec: dict[str, Any] = {"description": description or "OK"}
    media = {k: v for c in contents for k, v in _media(c, "serialization", refs).items()}
    if media:
        spec["content"] = media
    if headers:
        spec["headers"] = {name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()}
    return spec


def _first_line(model: type[BaseModel] | None) -> str:
    return (model.__doc__ or "").strip().split("\n")[0] if model is not None else ""
