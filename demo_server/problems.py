"""Errors as ``application/problem+json`` (RFC 9457), for every way a request can fail.

Handlers turn Litestar's exceptions (routing, validation, body size) and our own
:class:`ProblemError` into :class:`api_client.models.Problem` bodies with a ``detail`` written
for a person. The catch-all logs the exception and answers 500 without internals.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.types import ExceptionHandlersMap

from api_client.models import LINE_PATTERN, TEXT_PATTERN, Conflict, Problem, encode

log = logging.getLogger("demo_server")

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raise to answer with a problem: ``status``, a ``detail`` for a person, the ``field``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: int | None = None,
        title: str | None = None,
        current: object | None = None,
        type: str | None = None,
        conflict: Conflict | None = None,
    ) -> None:
        super().__init__(detail)
        self.type = type
        """The problem's ``type`` URI for a refusal a client acts on (default about:blank)."""
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = dict(headers or {})
        self.retry_after = retry_after
        self.title = title or HTTPStatus(status).phrase
        self.current = current
        """For a 409: the current value (a response Struct), sent as the problem's ``current``."""
        self.conflict = conflict
        """The other object a write collided with (set-up conflicts)."""


def unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": "Bearer"})


def problem_response(problem: ProblemError) -> Response[bytes]:
    """The problem+json answer saying ``problem``."""
    body = Problem(
        title=problem.title,
        status=problem.status,
        type=problem.type or "about:blank",
        detail=problem.detail,
        field=problem.field,
        retry_after=problem.retry_after,
        current=msgspec.Raw(encode(problem.current)) if problem.current is not None else None,
        conflict=problem.conflict,
    )
    return Response(
        content=encode(body),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


# --- validation messages in plain words -------------------------------------------------------

_PATH = re.compile(r"\s*-\s*at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")
_EXPECTED = re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`")
_LENGTH = re.compile(r"Expected `(?P<what>str|array|object)` of length (?P<cmp>[<>]=) (?P<n>\d+)")
_BOUND = re.compile(r"Expected `(?P<what>int|float)` (?P<cmp>[<>]=?) (?P<n>-?\d+)")
_PATTERN = re.compile(r"Expected `str` matching regex (?P<pattern>'.*')$")
#: Litestar's refusal of a request without a required parameter.
_MISSING_PARAMETER = re.compile(
    r"Missing required (?P<source>query|header|cookie|path) parameter '(?P<name>[^']+)'"
)

_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}

_PATTERN_WORDS = {
    LINE_PATTERN: (
        "may not contain control characters (line breaks, tabs or invisible formatting "
        "characters): it is one line of plain text; remove them and send it again"
    ),
    TEXT_PATTERN: (
        "may not contain control characters other than line breaks and tabs (such as NUL or "
        "invisible direction marks); remove them and send it again"
    ),
}


def _field_from_path(path: str) -> str | None:
    # "$.login" -> "login", "$.items[0].name" -> "items[0].name"
    path = path.lstrip(".")
    return path or None


def _pattern_words(quoted: str) -> str:
    try:
        pattern = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        pattern = None
    return _PATTERN_WORDS.get(pattern, "is not in the form expected here")


def plain_validation_message(message: str, field: str | None = None) -> tuple[str, str | None]:
    """Turn a msgspec validation message into ``(detail, field)``; ``field`` is where it was
    found, when the message itself does not say."""
    detail, field, _ = plain_validation(message, field)
    return detail, field


def plain_validation(message: str, field: str | None = None) -> tuple[str, str | None, int]:
    """``(detail, field, status)`` for a msgspec validation message: 400 for a body of the
    wrong shape (a field missing, unknown or of the wrong type), 422 for a value of the right
    type that is not allowed (too long, too short, out of range, characters it may not hold)."""
    match = _PATH.search(message)
    if match:
        field = _field_from_path(match.group("path"))
        message = message[: match.start()]
    if m := _MISSING.search(message):
        name = m.group("name")
        full = f"{field}.{name}" if field else name
        return f"the field '{full}' is required", full, 400
    if m := _UNKNOWN.search(message):
        name = m.group("name")
        full = f"{field}.{name}" if field else name
        return f"the field '{full}' is not known here (check its spelling)", full, 400
    where = f"'{field}'" if field else "the body"
    if m := _LENGTH.search(message):
        n = int(m.group("n"))
        unit = "characters" if m.group("what") == "str" else "items"
        if m.group("cmp") == ">=":
            if n == 1:
                return f"{where} must not be empty", field, 422
            return f"{where} must be at least {n:,} {unit} long", field, 422
        return f"{where} is too long: at most {n:,} {unit} are allowed", field, 422
    if m := _PATTERN.search(message):
        return f"{where} {_pattern_words(m.group('pattern'))}", field, 422
    if m := _BOUND.search(message):
        n = int(m.group("n"))
        words = {">=": "at least", "<=": "at most", ">": "more than", "<": "less than"}
        return f"{where} must be {words[m.group('cmp')]} {n}", field, 422
    if m := _EXPECTED.search(message):
        wanted = (w.strip() for w in m.group("want").split("|"))
        want = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted)
        got = _TYPE_WORDS.get(m.group("got"), m.group("got"))
        return f"{where} must be {want}, not {got}", field, 400
    if message.startswith("JSON is malformed") or "malformed" in message.lower():
        return "the body is not valid JSON", None, 400
    if "truncated" in message.lower():
        return "the body is not valid JSON (it ends too early)", None, 400
    if "out of range" in message.lower():
        return f"{where} is a number too large to be read", field, 400
    return f"{where}: {message[:1].lower()}{message[1:]}", field, 400


def _validation_detail(
    exc: ValidationException, query: Mapping[str, Any] | None = None
) -> tuple[str, str | None, int]:
    extra = exc.extra
    items: list[Any] = extra if isinstance(extra, list) else [extra] if extra else []
    for item in items:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        key = item.get("key")
        source = item.get("source")
        source = str(getattr(source, "value", source))  # Litestar's ParamType enum
        if source == "query" and query is not None and key and key not in query:
            # A Python keyword is renamed in the signature (``class_`` for ``class``): the
            # client knows the parameter by the name it sent.
            key = str(key).rstrip("_") if str(key).rstrip("_") in query else key
        if source == "query" and query is not None and key and key not in query:
            return f"the query parameter '{key}' is required", str(key), 400
        if source in ("query", "path", "header", "cookie") and key:
            return f"the {source} parameter '{key}' is missing or not valid", str(key), 400
        if message:
            where = str(key) if key and key != "data" else None
            return plain_validation(message, where)
    detail = str(exc.detail or "")
    if m := _MISSING_PARAMETER.match(detail):
        return f"the {m.group('source')} parameter '{m.group('name')}' is required", m["name"], 400
    if "decode" in detail.lower() or "json" in detail.lower():
        return "the body is not valid JSON", None, 400
    return "the request is not valid", None, 400


# --- handlers ----------------------------------------------------------------------------------


def _problem_error(_: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    return problem_response(exc)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    detail, field, status = _validation_detail(exc, request.query_params)
    return problem_response(ProblemError(status, detail, field=field))


def _not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[bytes]:
    return problem_response(ProblemError(404, f"there is nothing at {request.url.path}"))


def _method_not_allowed(
    request: Request[Any, Any, Any], exc: MethodNotAllowedException
) -> Response[bytes]:
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    allowed = headers.get("allow") or headers.get("Allow") or ""
    detail = f"{request.method} is not allowed at {request.url.path}"
    if allowed:
        detail += f"; use {allowed}"
    return problem_response(ProblemError(405, detail, headers=headers))


_HTTP_DETAILS = {
    413: "the request body is too large",
    401: "authentication is required",
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return _internal(request, exc)
    detail = _HTTP_DETAILS.get(status) or str(exc.detail or HTTPStatus(status).phrase)
    if status == 400 and detail.startswith("JSON is malformed"):
        reason = detail.partition(":")[2].strip()
        detail = (
            f"the body is not valid JSON ({reason})" if reason else "the body is not valid JSON"
        )
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(ProblemError(status, detail, headers=headers))


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    detail = "the server failed to answer this request; it has been logged"
    return problem_response(ProblemError(500, detail))


def exception_handlers(max_body_size: int) -> ExceptionHandlersMap:
    def too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
        from demo_server.routes.homework import upload_limit

        limit = upload_limit(request)
        if limit is not None:  # a homework file: its own limit, in words
            from demo_server.attachments import too_large as file_too_large

            return problem_response(file_too_large(None, limit))
        detail = f"the request body is larger than the limit of {max_body_size} bytes"
        return problem_response(ProblemError(413, detail))

    handlers: dict[Any, Any] = {
        ProblemError: _problem_error,
        ValidationException: _validation,
        NotFoundException: _not_found,
        MethodNotAllowedException: _method_not_allowed,
        413: too_large,
        HTTPException: _http,
        Exception: _internal,
    }
    return handlers
