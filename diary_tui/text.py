"""Text from the server, made safe to show: it can never drive the terminal.

A name, a topic, a message, a file name or an error's detail comes from the server, and so from
whoever typed it (or from an old database, or another server). Written to the terminal as it is,
``ESC [2J`` would clear the screen, ``ESC ] 0 ; ... BEL`` would set the window's title, a colour
sequence could make a message invisible, and a bidi override (U+202E) could show a different
text than the one stored. Every piece of server text therefore passes :func:`visible` before a
widget sees it: controls and invisible format characters become visible stand-ins, so the user
sees that something odd is there and nothing acts on the terminal.

- C0 controls (U+0000..U+001F) become their pictures from the Control Pictures block (ESC is
  ``␛``, BEL ``␇``), DEL becomes ``␡``. Long texts (``multiline``) keep line feeds and tabs, and
  a Windows line end (CR LF) is one line feed.
- C1 controls (U+0080..U+009F, e.g. the one-byte CSI U+009B), bidi embeddings, overrides,
  isolates and marks, and other invisible format characters that can hide or reorder text
  (zero-width space, word joiner, BOM, line and paragraph separators, tag characters) become
  ``⟨U+XXXX⟩``. The zero-width (non-)joiners stay: scripts and emoji need them, and they hide
  nothing.

:func:`visible_all` applies it to every string of a decoded answer (a msgspec Struct tree):
the client calls it on every answer it decodes, and the data layer on every copy it reads from
the store, so no screen can forget it. Both are idempotent: cleaned text is cleaned again into
itself, so ids, logins and cursors (which hold no controls) are unchanged.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_INVISIBLE = (
    "\u061c"  # Arabic letter mark
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero-width space
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u2028\u2029"  # line and paragraph separators
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings, pop, overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated format characters
    "\ufeff"  # zero-width no-break space (BOM)
    "\ufff9\ufffa\ufffb"  # interlinear annotation
)
_TAGS = range(0xE0000, 0xE0080)
"""Tag characters: invisible, and able to carry a whole hidden ASCII text."""


def _marker(code: int) -> str:
    return f"⟨U+{code:04X}⟩"


def _table(multiline: bool) -> dict[int, str]:
    table: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)}
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = _marker(code)
    for char in _INVISIBLE:
        table[ord(char)] = _marker(ord(char))
    for code in _TAGS:
        table[code] = _marker(code)
    if multiline:
        del table[ord("\n")], table[ord("\t")]
    return table


_LINE_TABLE = _table(multiline=False)
_LONG_TABLE = _table(multiline=True)
_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f" + _INVISIBLE + "\U000e0000-\U000e007f"
_LONG_UNSAFE = re.compile(f"[{_CLASS}]")
_LINE_UNSAFE = re.compile(f"[\t\n{_CLASS}]")


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control and invisible format character shown as a stand-in.

    With ``multiline`` line feeds and tabs stay (and CR LF is one line feed); without it they
    are shown too, so a name or a title is always one line. The same string comes back when
    there is nothing to change."""
    if multiline:
        if _LONG_UNSAFE.search(text) is None:
            return text
        return text.replace("\r\n", "\n").translate(_LONG_TABLE)
    if _LINE_UNSAFE.search(text) is None:
        return text
    return text.translate(_LINE_TABLE)


MULTILINE_FIELDS = frozenset(
    {"body", "text", "description", "note", "comment", "reason", "topic", "detail", "minutes"}
)
"""Fields of the contract that hold long free text, shown on several lines where there is room
(a message, an announcement, homework, a note or comment): they keep their line feeds."""


def visible_all(value: T, multiline: bool = False) -> T:
    """``value`` (a decoded answer: Structs, lists, dicts, strings) with :func:`visible` applied
    to every string in it. Structs, lists and dicts fresh from a decoder are changed in place;
    the same object comes back."""
    result: Any = value
    kind = type(value)
    if kind is str or isinstance(value, str):
        # Enum members are strings too: they never change, and stay members.
        result = visible(value, multiline=multiline)  # type: ignore[arg-type]
    elif isinstance(value, msgspec.Struct):
        _clean_struct(value)
    elif kind is list:
        items: list[Any] = value  # type: ignore[assignment]
        for index, item in enumerate(items):
            if item is not None and type(item) not in _PLAIN:
                cleaned = visible_all(item, multiline)
                if cleaned is not item:
                    items[index] = cleaned
    elif isinstance(value, tuple):
        cleaned_items = [visible_all(item, multiline) for item in value]
        if any(a is not b for a, b in zip(cleaned_items, value, strict=True)):
            result = kind(*cleaned_items) if hasattr(value, "_fields") else tuple(cleaned_items)
    elif isinstance(value, dict):
        # Plain JSON data (a conflict's current value, a change's payload): its keys are the
        # fields' names.
        pairs = [
            (
                visible_all(key),
                visible_all(item, key in MULTILINE_FIELDS if isinstance(key, str) else multiline),
            )
            for key, item in value.items()
        ]
        if any(
            k is not a or v is not b for (k, v), (a, b) in zip(pairs, value.items(), strict=True)
        ):
            result = dict(pairs)
    return result  # type: ignore[no-any-return]


_PLAIN = frozenset({int, float, bool, bytes, dt.date, dt.datetime, dt.time, dt.timedelta})
"""Types that never hold text."""


def _clean_struct(value: msgspec.Struct) -> None:
    for name, multiline, text_only in _plan(type(value)):
        item = getattr(value, name)
        if text_only or type(item) is str:
            if type(item) is not str:
                continue  # None, or an enum member
            pattern = _LONG_UNSAFE if multiline else _LINE_UNSAFE
            if pattern.search(item) is not None:
                msgspec.structs.force_setattr(value, name, visible(item, multiline=multiline))
        elif item is not None:
            cleaned = visible_all(item, multiline)
            if cleaned is not item:
                msgspec.structs.force_setattr(value, name, cleaned)


_PLANS: dict[type[msgspec.Struct], tuple[tuple[str, bool, bool], ...]] = {}


def _plan(kind: type[msgspec.Struct]) -> tuple[tuple[str, bool, bool], ...]:
    """The fields of a Struct type that may hold text: (name, multiline, a plain string at
    most). Numbers, dates, booleans and enumerations are left out once, not looked at for
    every value."""
    plan = _PLANS.get(kind)
    if plan is None:
        plan = tuple(
            (field.name, field.name in MULTILINE_FIELDS, _text_only(field.type))
            for field in msgspec.structs.fields(kind)
            if _may_hold_text(field.type)
        )
        _PLANS[kind] = plan
    return plan


def _parts(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return (typing.get_args(annotation)[0],)
    if origin in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _text_only(annotation: Any) -> bool:
    """A ``str`` (or ``str | None``, or an enumeration) and nothing else."""
    return all(
        part is str or part is type(None) or (isinstance(part, type) and issubclass(part, str))
        for part in _parts(annotation)
    )


def _may_hold_text(annotation: Any) -> bool:
    parts = _parts(annotation)
    if parts != (annotation,):
        return any(_may_hold_text(part) for part in parts)
    if annotation is type(None) or typing.get_origin(annotation) is typing.Literal:
        return False  # a Literal is one of the values the client knows
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return False  # a member of the contract's enumerations: decoding checked it
        return not (issubclass(annotation, tuple(_PLAIN)) or annotation is msgspec.Raw)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset, dict):
        return any(_may_hold_text(arg) for arg in typing.get_args(annotation) if arg is not ...)
    return True  # Any, object, a type variable: look at the value


_SUSPECT = re.compile(
    rb"\\"  # any escape: \u001b, \n, \u202e ... (raw C0 controls are not valid JSON)
    rb"|\x7f"
    rb"|\xc2[\x80-\x9f]"  # C1
    rb"|\xd8\x9c|\xe1\xa0\x8e"  # U+061C, U+180E
    rb"|\xe2\x80[\x8b\x8e\x8f\xa8-\xae]"  # U+200B, U+200E/F, U+2028..U+202E
    rb"|\xe2\x81[\xa0-\xaf]"  # U+2060..U+206F
    rb"|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]"  # U+FEFF, U+FFF9..U+FFFB
    rb"|\xf3\xa0[\x80\x81]"  # tag characters
)
"""What JSON must hold for one of its strings to need :func:`visible`: an answer without it
is decoded as it is, with no walk over its Structs."""


def decode(data: bytes | str, type_: type[T]) -> T:
    """Decode server JSON (an answer, or its copy in the store) as ``type_`` with every string
    made :func:`visible`. Raises ``msgspec.DecodeError``/``ValidationError`` as decoding does."""
    value = msgspec.json.decode(data, type=type_)
    raw = data.encode() if isinstance(data, str) else data
    return visible_all(value) if _SUSPECT.search(raw) is not None else value
