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

from api_client import i18n
from api_client.i18n import N_, _, ngettext
from api_client.models import LINE_PATTERN, TEXT_PATTERN, Conflict, Problem, encode

log = logging.getLogger("demo_server")

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raise to answer with a problem: ``status``, a ``detail`` for a person, the ``field``.

    The ``detail`` is written in the language of the request being answered (mark it with
    ``_()`` where it is raised; the language is set per request by
    ``demo_server.language``); the ``title`` is the status's phrase in that language unless
    one is given. The ``field`` and the ``type`` are the same in every language.
    """

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
        self.title = title or status_title(status)
        self.current = current
        """For a 409: the current value (a response Struct), sent as the problem's ``current``."""
        self.conflict = conflict
        """The other object a write collided with (set-up conflicts)."""


_TITLES = {
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    406: N_("Not Acceptable"),
    409: N_("Conflict"),
    410: N_("Gone"),
    412: N_("Precondition Failed"),
    413: N_("Request Entity Too Large"),
    415: N_("Unsupported Media Type"),
    422: N_("Unprocessable Entity"),
    428: N_("Precondition Required"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
    503: N_("Service Unavailable"),
}


def status_title(status: int) -> str:
    """The status's phrase (``Not Found``) in the language in force."""
    phrase = _TITLES.get(status)
    return _(phrase) if phrase is not None else HTTPStatus(status).phrase


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
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "object": N_("an object"),
    "array": N_("a list"),
    "null": "null",
}

_PATTERN_WORDS = {
    LINE_PATTERN: N_(
        "{where} may not contain control characters (line breaks, tabs or invisible "
        "formatting characters): it is one line of plain text; remove them and send it again"
    ),
    TEXT_PATTERN: N_(
        "{where} may not contain control characters other than line breaks and tabs (such as "
        "NUL or invisible direction marks); remove them and send it again"
    ),
}


def _type_words(name: str) -> str:
    words = _TYPE_WORDS.get(name)
    return _(words) if words is not None else name


def whole_number(n: int) -> str:
    """``10,000`` / ``10 000`` (Russian groups digits with a space)."""
    return i18n.whole_number(n)


def _field_from_path(path: str) -> str | None:
    # "$.login" -> "login", "$.items[0].name" -> "items[0].name"
    path = path.lstrip(".")
    return path or None


def _pattern_words(quoted: str, where: str) -> str:
    try:
        pattern = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        pattern = None
    words = _PATTERN_WORDS.get(pattern, N_("{where} is not in the form expected here"))
    return _(words).format(where=where)


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
        return _("the field '{name}' is required").format(name=full), full, 400
    if m := _UNKNOWN.search(message):
        name = m.group("name")
        full = f"{field}.{name}" if field else name
        detail = _("the field '{name}' is not known here (check its spelling)")
        return detail.format(name=full), full, 400
    where = _("'{name}'").format(name=field) if field else _("the body")
    if m := _LENGTH.search(message):
        n = int(m.group("n"))
        text = m.group("what") == "str"
        count = whole_number(n)
        if m.group("cmp") == ">=":
            if n == 1:
                return _("{where} must not be empty").format(where=where), field, 422
            detail = (
                ngettext(
                    "{where} must be at least {n} character long",
                    "{where} must be at least {n} characters long",
                    n,
                )
                if text
                else ngettext(
                    "{where} must be at least {n} item long",
                    "{where} must be at least {n} items long",
                    n,
                )
            )
            return detail.format(where=where, n=count), field, 422
        detail = (
            ngettext(
                "{where} is too long: at most {n} character is allowed",
                "{where} is too long: at most {n} characters are allowed",
                n,
            )
            if text
            else ngettext(
                "{where} is too long: at most {n} item is allowed",
                "{where} is too long: at most {n} items are allowed",
                n,
            )
        )
        return detail.format(where=where, n=count), field, 422
    if m := _PATTERN.search(message):
        return _pattern_words(m.group("pattern"), where), field, 422
    if m := _BOUND.search(message):
        n = int(m.group("n"))
        words = {
            ">=": N_("{where} must be at least {n}"),
            "<=": N_("{where} must be at most {n}"),
            ">": N_("{where} must be more than {n}"),
            "<": N_("{where} must be less than {n}"),
        }
        return _(words[m.group("cmp")]).format(where=where, n=n), field, 422
    if m := _EXPECTED.search(message):
        wanted = (w.strip() for w in m.group("want").split("|"))
        want = _(" or ").join(_type_words(w) for w in wanted)
        got = _type_words(m.group("got"))
        detail = _("{where} must be {wanted}, not {got}")
        return detail.format(where=where, wanted=want, got=got), field, 400
    if message.startswith("JSON is malformed") or "malformed" in message.lower():
        return _("the body is not valid JSON"), None, 400
    if "truncated" in message.lower():
        return _("the body is not valid JSON (it ends too early)"), None, 400
    if "out of range" in message.lower():
        return _("{where} is a number too large to be read").format(where=where), field, 400
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
            return _("the query parameter '{name}' is required").format(name=key), str(key), 400
        if source in ("query", "path", "header", "cookie") and key:
            detail = _(_PARAMETER_INVALID.get(source, _PARAMETER_INVALID["query"]))
            return detail.format(name=key), str(key), 400
        if message:
            where = str(key) if key and key != "data" else None
            return plain_validation(message, where)
    detail = str(exc.detail or "")
    if m := _MISSING_PARAMETER.match(detail):
        required = _(_PARAMETER_REQUIRED[m.group("source")]).format(name=m["name"])
        return required, m["name"], 400
    if "decode" in detail.lower() or "json" in detail.lower():
        return _("the body is not valid JSON"), None, 400
    return _("the request is not valid"), None, 400


_PARAMETER_INVALID = {
    "query": N_("the query parameter '{name}' is missing or not valid"),
    "path": N_("the path parameter '{name}' is missing or not valid"),
    "header": N_("the header parameter '{name}' is missing or not valid"),
    "cookie": N_("the cookie parameter '{name}' is missing or not valid"),
}
_PARAMETER_REQUIRED = {
    "query": N_("the query parameter '{name}' is required"),
    "path": N_("the path parameter '{name}' is required"),
    "header": N_("the header parameter '{name}' is required"),
    "cookie": N_("the cookie parameter '{name}' is required"),
}


# --- handlers ----------------------------------------------------------------------------------


def _problem_error(_: Request[Any, Any, Any], exc: ProblemError) -> Response[bytes]:
    return problem_response(exc)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    detail, field, status = _validation_detail(exc, request.query_params)
    return problem_response(ProblemError(status, detail, field=field))


def _not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[bytes]:
    detail = _("there is nothing at {path}").format(path=request.url.path)
    return problem_response(ProblemError(404, detail))


def _method_not_allowed(
    request: Request[Any, Any, Any], exc: MethodNotAllowedException
) -> Response[bytes]:
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    allowed = headers.get("allow") or headers.get("Allow") or ""
    if allowed:
        detail = _("{method} is not allowed at {path}; use {allowed}")
    else:
        detail = _("{method} is not allowed at {path}")
    detail = detail.format(method=request.method, path=request.url.path, allowed=allowed)
    return problem_response(ProblemError(405, detail, headers=headers))


_HTTP_DETAILS = {
    413: N_("the request body is too large"),
    401: N_("authentication is required"),
}


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:
        return _internal(request, exc)
    known = _HTTP_DETAILS.get(status)
    detail = _(known) if known else str(exc.detail or status_title(status))
    if status == 400 and detail.startswith("JSON is malformed"):
        reason = detail.partition(":")[2].strip()
        detail = (
            _("the body is not valid JSON ({reason})").format(reason=reason)
            if reason
            else _("the body is not valid JSON")
        )
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(ProblemError(status, detail, headers=headers))


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    detail = _("the server failed to answer this request; it has been logged")
    return problem_response(ProblemError(500, detail))


def exception_handlers(max_body_size: int) -> ExceptionHandlersMap:
    def too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
        from demo_server.routes.homework import upload_limit

        limit = upload_limit(request)
        if limit is not None:  # a homework file: its own limit, in words
            from demo_server.attachments import too_large as file_too_large

            return problem_response(file_too_large(None, limit))
        detail = ngettext(
            "the request body is larger than the limit of {n} byte",
            "the request body is larger than the limit of {n} bytes",
            max_body_size,
        ).format(n=max_body_size)
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
