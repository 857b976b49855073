"""How a request's body and path are read: strictly, at one place each.

- A JSON body is decoded straight into the route's request Struct (the type of its ``data``
  parameter) with msgspec in strict mode, so ``"1"`` is not a number and ``"true"`` is not a
  boolean. Litestar would first decode to plain data (where 1,000 nested ``[`` exhaust the
  recursion limit) and then convert it laxly; the Struct decoded here passes its conversion
  unchanged. Every way a body can be unreadable (not JSON, not UTF-8, nested too deeply, a
  number too large) is a 400 problem; a value the Struct refuses is a validation problem.
- An id in the path is ASCII digits without a sign or leading zeros: Python's ``int()``
  (Litestar's path parser) also reads ``+1``, ``01``, ``1_0``, full-width ``１`` and
  Arabic-Indic ``١``, each of which named the object 1. Such a path names nothing (404), as a
  path with letters where the id goes does. So does an id larger than any id can be
  (:data:`~api_client.models.MAX_ID`), before any database is asked: SQLite cannot bind a
  number past 64 bits and PostgreSQL's ``integer`` refuses one past 31.
- A whole number in the query is written in ASCII digits too. One past the largest id is
  refused before any database is asked: a 404 where the route declares the parameter an
  :data:`Id` (it names one object, or a place in an id-ordered list), a 400 (out of range)
  for every other number (a limit, an offset, a count).
"""

from __future__ import annotations

import math
import re
import typing
from typing import Annotated, Any, Final

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import ValidationException
from litestar.params import ParameterKwarg
from litestar.types import Empty

from api_client.i18n import _
from api_client.models import MAX_ID
from demo_server.problems import ProblemError

_CANONICAL_ID = re.compile(r"(?:0|[1-9][0-9]*)\Z")


class NamesAnObject:
    """The ``Annotated`` mark of a whole number that names one object by its id (a pupil, a
    class, a period, a teacher ...) or a place in an id-ordered list (``before``, ``at``)."""

    def __repr__(self) -> str:
        return "NAMES_AN_OBJECT"


NAMES_AN_OBJECT: Final = NamesAnObject()

Id = Annotated[int, NAMES_AN_OBJECT]
"""A query parameter's type when it names an object: ``pupil: Annotated[Id, QueryParameter(...)]``
or ``Annotated[Id | None, ...]``. Past :data:`MAX_ID` it names nothing (404); a plain ``int``
past it is out of range (400)."""


def body_type(request: Request[Any, Any, Any]) -> Any:
    """The type the route decodes its JSON body into (its ``data`` parameter), or None."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    return None if data is None else data.annotation


#: msgspec's refusal of a float where an ``int`` (or ``int | None``) is wanted.
_WHOLE_FLOAT = re.compile(r"Expected `(?:[^`]*\| )?int(?: \|[^`]*)?`, got `float`")


def _whole_numbers(value: Any) -> Any:
    """``value`` (plain JSON data) with every number that has no fraction as an ``int``."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


def decode_body(body: bytes, target: Any) -> Any:
    """``body`` decoded strictly as ``target`` (plain JSON data when ``target`` is None).

    JSON has one kind of number: ``5.0`` is the number 5, and the OpenAPI document's
    ``integer`` allows it (JSON Schema counts a number without a fraction as an integer).
    msgspec's strict mode refuses it for an ``int`` field, so a body it refuses for that
    reason alone is read again with such numbers made whole; ``5.5`` is still refused.
    """
    try:
        if target is None:
            return msgspec.json.decode(body)
        try:
            return msgspec.json.decode(body, type=target, strict=True)
        except msgspec.ValidationError as exc:
            if not _WHOLE_FLOAT.search(str(exc)):
                raise
            plain = _whole_numbers(msgspec.json.decode(body))
            return msgspec.convert(plain, type=target, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(
            detail=str(exc), extra=[{"message": str(exc), "key": "data", "source": "body"}]
        ) from exc
    except msgspec.DecodeError as exc:
        reason = str(exc).removeprefix("JSON is malformed: ")
        raise ProblemError(
            400, _("the body is not valid JSON ({reason})").format(reason=reason)
        ) from exc
    except UnicodeDecodeError as exc:
        raise ProblemError(400, _("the body is not valid JSON: it is not UTF-8 text")) from exc
    except RecursionError as exc:
        raise ProblemError(
            400, _("the body is nested too deeply to be read; send the object the API expects")
        ) from exc


class DiaryRequest(Request[Any, Any, Any]):
    """Litestar's request with a strict JSON body (see the module's docstring)."""

    async def json(self) -> Any:
        if self._json is Empty:
            if (cached := self._connection_state.json) is not Empty:
                self._json = cached
            else:
                body = await self.body()
                self._json = self._connection_state.json = decode_body(
                    body or b"null", body_type(self)
                )
        return self._json


def check_path_ids(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """404 for a path whose numeric parts are not plain ASCII digits (see the module)."""
    numbers = {
        f"{{{name}}}"
        for name, value in request.scope.get("path_params", {}).items()
        if isinstance(value, int) and not isinstance(value, bool)
    }
    if not numbers:
        return
    template: str = request.scope.get("path_template", "")
    given = request.scope["path"].split("/")
    for part, value in zip(template.split("/"), given, strict=False):
        if part not in numbers:
            continue
        if not _CANONICAL_ID.match(value):
            raise ProblemError(
                404,
                _(
                    "there is nothing at {path}: an id is written in the digits 0-9, "
                    "without a sign or leading zeros"
                ).format(path=request.url.path),
            )
        if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
            raise ProblemError(
                404,
                _("there is nothing at {path}: no id is larger than {largest}").format(
                    path=request.url.path, largest=MAX_ID
                ),
                field=part[1:-1],
            )


_QUERY_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_number_params: dict[object, dict[str, bool]] = {}


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    return any(_is_int(arg) for arg in typing.get_args(annotation))


def names_an_object(annotation: Any) -> bool:
    """Whether ``annotation`` (as written, ``Annotated`` kept) holds an :data:`Id`."""
    if typing.get_origin(annotation) is typing.Annotated and any(
        meta is NAMES_AN_OBJECT for meta in annotation.__metadata__
    ):
        return True
    return any(names_an_object(arg) for arg in typing.get_args(annotation))


def number_params(handler: Any) -> dict[str, bool]:
    """The route's query parameters that are whole numbers: each name (as sent) and whether it
    is declared an :data:`Id`."""
    found = _number_params.get(handler)
    if found is None:
        found = {}
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = field.kwarg_definition
            if isinstance(kwarg, ParameterKwarg) and (kwarg.header or kwarg.cookie):
                continue
            if _is_int(field.annotation):
                alias = kwarg.query if isinstance(kwarg, ParameterKwarg) else None
                found[alias or name] = NAMES_AN_OBJECT in field.metadata or names_an_object(
                    field.raw
                )
        _number_params[handler] = found
    return found


def check_query_numbers(request: Request[Any, Any, Any]) -> None:
    """400 for a whole number in the query written otherwise than in ASCII digits (``05``,
    ``+5``, ``5.0``, ``５``), which a lax conversion would read as 5."""
    if not request.scope.get("query_string"):
        return
    params = request.query_params
    in_path = request.scope.get("path_params", {})
    for name, is_id in number_params(request.route_handler).items():
        if name in in_path:
            continue
        for value in params.getall(name, []):
            if not _QUERY_NUMBER.match(value):
                raise ProblemError(
                    400,
                    _(
                        "the query parameter '{name}' must be a whole number written in the "
                        "digits 0-9, without leading zeros"
                    ).format(name=name),
                    field=name,
                )
            if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
                _refuse_past_largest(request, name, is_id=is_id)


def _refuse_past_largest(request: Request[Any, Any, Any], name: str, *, is_id: bool) -> None:
    """A query number past :data:`MAX_ID`, refused before any database is asked (SQLite cannot
    bind one past 64 bits, PostgreSQL's ``integer`` one past 31): 404 for an :data:`Id`, 400
    for any other number. A route that allows larger numbers says so with its parameter's own
    ``le``, which Litestar then checks."""
    field = request.route_handler.parsed_fn_signature.parameters.get(name)
    kwarg = None if field is None else field.kwarg_definition
    if isinstance(kwarg, ParameterKwarg) and kwarg.le is not None:
        return
    if is_id:
        raise ProblemError(
            404,
            _("there is nothing with this {name}: no id is larger than {largest}").format(
                name=name, largest=MAX_ID
            ),
            field=name,
        )
    raise ProblemError(
        400,
        _("the query parameter '{name}' must be at most {largest}").format(
            name=name, largest=MAX_ID
        ),
        field=name,
    )


async def strict_path(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: :func:`check_path_ids` and :func:`check_query_numbers`."""
    check_path_ids(request)
    check_query_numbers(request)
