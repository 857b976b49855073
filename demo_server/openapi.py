"""What the OpenAPI document says beyond the handlers' signatures, decided in one place.

Litestar documents a handler's success answer and its parameters. What it cannot see is how
the server refuses: every refusal is an ``application/problem+json`` :class:`Problem`, and which
statuses an operation can answer follows from what it is:

- any parameter or body can be malformed: 400;
- it needs a bearer token (it takes the ``viewer``): 401 (with ``WWW-Authenticate``), and 403
  (a role or relation that may not do it);
- it names something (a path parameter, a query parameter or a body): 404 (missing, or not
  the caller's to see);
- it writes: 409 (a stale version), 422 (a valid request the present state refuses), 503
  (the database busy, with ``Retry-After``), and the ``Idempotency-Key`` header it requires;
- it has a body: 413 (larger than the limit);
- it has a body or a query: 422 (a value of the right type that is not allowed, or values
  that do not go together: a ``to`` before its ``from``, a Monday that is a Wednesday);
- a GET answers 200 with an ``ETag`` and 304 to a matching ``If-None-Match``.

A handler adds what only it can answer (429 for rate-limited ones, 415, 503) in its ``opt``:
``opt={"problems": (429,)}``; ``opt={"idempotent": False}`` for a write without a key;
``opt={"request_body": "text/csv"}`` for a body read raw; ``opt={"stream": True}`` for
server-sent events (``text/event-stream``, no ETag). Request Structs refuse unknown fields
(``forbid_unknown_fields``): their schemas say ``additionalProperties: false``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Litestar
from litestar.enums import ParamType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    RequestBody,
    Schema,
)
from litestar.params import ParameterKwarg
from litestar.routes import HTTPRoute

from api_client import models
from demo_server.changes import CURSOR_PATTERN
from demo_server.idempotency import HEADER as IDEMPOTENCY_HEADER
from demo_server.idempotency import KEY_PATTERN
from demo_server.problems import PROBLEM_JSON

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EVENT_STREAM = "text/event-stream"

_DESCRIPTIONS = {
    400: "The request is malformed: a parameter, header or body field is missing or not "
    "valid (``field`` names it)",
    401: "No valid bearer token: log in, or refresh the access token",
    403: "This account may not do this",
    404: "No such object, or not one this account may see",
    409: "The object changed meanwhile: ``current`` holds it as it is now",
    413: "The body is larger than the server accepts",
    415: "The body is not of the media type this operation reads",
    422: "The request is well formed but refused as things stand (``detail`` says why)",
    429: "Too many attempts: try again after ``Retry-After`` seconds",
    503: "The server cannot answer now: try again after ``Retry-After`` seconds",
}

_HEADERS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": "Bearer"},
    429: {"Retry-After": "Seconds to wait before trying again"},
}


def _problem_statuses(route: HTTPRoute, handler: Any, method: str) -> set[int]:
    params = handler.parsed_fn_signature.parameters
    opt = handler.opt or {}
    authenticated = "viewer" in params
    has_body = "data" in params or "request_body" in opt
    names_something = "{" in route.path or has_body or _has_query(handler)
    statuses: set[int] = set(opt.get("problems", ()))
    if names_something or (method in WRITES and opt.get("idempotent", authenticated)):
        statuses.add(400)
    if authenticated:
        statuses |= {401, 403}
        if names_something:
            statuses.add(404)
    if method in WRITES and authenticated:
        statuses |= {409, 422, 503}
    if has_body:
        statuses.add(413)
    if has_body or _has_query(handler):
        # A value of the right type that is not allowed (a body field out of its range), or
        # values that do not go together (a 'to' before its 'from', a span too long).
        statuses.add(422)
    return statuses


_NOT_PARAMETERS = frozenset({"viewer", "server", "db", "request", "state", "data", "scope"})


def _has_query(handler: Any) -> bool:
    """Whether the handler reads a query (or header) parameter."""
    return any(name not in _NOT_PARAMETERS for name in handler.parsed_fn_signature.parameters)


def document_problems(app: Litestar) -> None:
    """Give every handler the problem answers it can send, before the document is built."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method == "OPTIONS" or not handler.resolve_include_in_schema():
                continue
            responses = dict(handler.responses or {})
            for status in sorted(_problem_statuses(route, handler, method)):
                responses.setdefault(
                    status,
                    ResponseSpec(
                        data_container=models.Problem,
                        description=_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
                        media_type=PROBLEM_JSON,
                        generate_examples=False,
                    ),
                )
            handler.responses = responses


def _request_structs() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    for name, value in vars(models).items():
        if (
            inspect.isclass(value)
            and issubclass(value, msgspec.Struct)
            and value.__struct_config__.forbid_unknown_fields
        ):
            found[name] = value
    return found


def _header(description: str) -> OpenAPIHeader:
    return OpenAPIHeader(description=description, schema=Schema(type=OpenAPIType.STRING))


def amend_document(app: Litestar) -> None:
    """Complete the built document with what the handlers cannot say themselves."""
    document: OpenAPI = app.openapi_schema
    strict = _request_structs()
    schemas = document.components.schemas if document.components else {}
    for name, schema in (schemas or {}).items():
        if name in strict and isinstance(schema, Schema):
            schema.additional_properties = False

    handlers: dict[tuple[str, str], Any] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for verb, (route_handler, _) in route.route_handler_map.items():
                handlers[(route.path_format, verb.lower())] = route_handler

    for path, item in (document.paths or {}).items():
        for name in ("get", "post", "put", "patch", "delete"):
            operation: Operation | None = getattr(item, name)
            found = handlers.get((path, name))
            if operation is not None and found is not None:
                _amend_operation(operation, found, name.upper())


#: One event of the change stream (OpenAPI 3.1: the schema of an event stream is that of each
#: event): ``event: change``, ``id:`` its cursor, ``data:`` a ChangeItem as JSON. Comments
#: (``: connected``, ``: keep-alive``) and ``retry:`` make no event.
_CHANGE_EVENT = Schema(
    type=OpenAPIType.OBJECT,
    required=["event", "id", "data"],
    properties={
        "event": Schema(type=OpenAPIType.STRING, const="change"),
        "id": Schema(type=OpenAPIType.STRING, pattern=CURSOR_PATTERN),
        "data": Schema(
            type=OpenAPIType.STRING,
            content_media_type="application/json",
            description="A ChangeItem as JSON",
        ),
        "retry": Schema(type=OpenAPIType.INTEGER, minimum=0),
    },
)

#: The days ``routes.week.parse_date`` reads: YYYY-MM-DD in the years 2000 to 2100.
DATE_PATTERN = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


def _without_null(schema: Schema) -> Schema:
    """A parameter's schema without the ``null`` choice Litestar gives an optional one.

    A query or header parameter is text or absent, never null: ``required: false`` says it
    may be left out, and a null choice would let a client send it empty (``?from=``), which
    the server refuses.
    """
    choices = [c for c in schema.one_of or [] if not _is_null(c)]
    if not schema.one_of or len(choices) == len(schema.one_of):
        return schema
    if len(choices) == 1 and isinstance(choices[0], Schema):
        merged = {
            f.name: getattr(schema, f.name)
            for f in dataclasses.fields(schema)
            if f.name != "one_of" and getattr(schema, f.name) is not None
        }
        return dataclasses.replace(choices[0], **merged)
    return dataclasses.replace(schema, one_of=choices)


def _is_null(choice: Any) -> bool:
    return isinstance(choice, Schema) and choice.type == OpenAPIType.NULL


#: A parameter's constraint and the schema's keyword that says it.
_CONSTRAINTS = {
    "ge": "minimum",
    "gt": "exclusive_minimum",
    "le": "maximum",
    "lt": "exclusive_maximum",
    "min_length": "min_length",
    "max_length": "max_length",
    "pattern": "pattern",
}


def _declared_constraints(handler: Any) -> dict[str, dict[str, Any]]:
    """Each parameter's constraints as its handler declares them (``ge=0``), by the name the
    request uses. Litestar leaves them out of an optional parameter's schema (it builds the
    schema of ``int | None`` from ``int`` alone) though the server enforces them, so the
    document would call a refused value valid (``?confirm=-1``)."""
    found: dict[str, dict[str, Any]] = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if not isinstance(kwarg, ParameterKwarg):
            continue
        said = {
            key: value
            for key, value in ((k, getattr(kwarg, k)) for k in _CONSTRAINTS)
            if value is not None
        }
        if said:
            found[kwarg.query or kwarg.header or kwarg.cookie or name] = said
    return found


def _constrain(parameter: Parameter, constraints: dict[str, Any]) -> None:
    schema = parameter.schema
    if not isinstance(schema, Schema):
        return
    for key, value in constraints.items():
        attribute = _CONSTRAINTS[key]
        if getattr(schema, attribute) is None:
            setattr(schema, attribute, value)


def _amend_operation(operation: Operation, handler: Any, method: str) -> None:
    opt = handler.opt or {}
    declared = _declared_constraints(handler)
    for parameter in operation.parameters or []:
        if isinstance(parameter, Parameter) and isinstance(parameter.schema, Schema):
            parameter.schema = _without_null(parameter.schema)
            if parameter.name in declared:
                _constrain(parameter, declared[parameter.name])
        schema = getattr(parameter, "schema", None)
        if isinstance(schema, Schema) and schema.format == "date":
            schema.pattern = DATE_PATTERN
        for choice in (schema.one_of or []) if isinstance(schema, Schema) else []:
            if isinstance(choice, Schema) and choice.format == "date":
                choice.pattern = DATE_PATTERN
    responses = operation.responses or {}
    for status, headers in _HEADERS.items():
        response = responses.get(str(status))
        if isinstance(response, OpenAPIResponse):
            response.headers = {name: _header(text) for name, text in headers.items()}
    retry = responses.get("503")
    if isinstance(retry, OpenAPIResponse):
        retry.headers = {"Retry-After": _header("Seconds to wait before trying again")}
    if opt.get("stream", False):
        ok = responses.get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {EVENT_STREAM: OpenAPIMediaType(schema=_CHANGE_EVENT)}
    if method == "GET" and not opt.get("stream", False):
        ok = responses.get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.headers = {
                **(ok.headers or {}),
                "ETag": _header("The version of this answer, for If-None-Match"),
            }
            responses["304"] = OpenAPIResponse(
                description="Not modified: the If-None-Match tag is still the current one",
                headers={"ETag": _header("The current version's tag")},
            )
            _add_parameter(
                operation,
                Parameter(
                    name="If-None-Match",
                    param_in=ParamType.HEADER,
                    required=False,
                    description="The ETag of the answer the client holds: 304 if unchanged",
                    schema=Schema(type=OpenAPIType.STRING),
                ),
            )
    authenticated = "viewer" in handler.parsed_fn_signature.parameters
    if method in WRITES and opt.get("idempotent", authenticated):
        _add_parameter(
            operation,
            Parameter(
                name=IDEMPOTENCY_HEADER,
                param_in=ParamType.HEADER,
                required=True,
                description="A unique value per change (such as a random UUID), reused only "
                "when the same change is sent again: the replay answers the first result",
                schema=Schema(type=OpenAPIType.STRING, pattern=KEY_PATTERN),
            ),
        )
    if raw := opt.get("request_body"):
        operation.request_body = RequestBody(
            content={raw: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
            required=True,
        )
    operation.responses = responses


def _add_parameter(operation: Operation, parameter: Parameter) -> None:
    existing: Iterable[Any] = operation.parameters or []
    if any(getattr(p, "name", None) == parameter.name for p in existing):
        return
    operation.parameters = [*existing, parameter]
