"""The product's languages: one gettext catalog per language, shared by the app, both command
lines and the server.

Source strings are English and are marked where they are written::

    from api_client.i18n import _, ngettext, pgettext, N_

    _("Sign {name}'s week").format(name=...)
    ngettext("{n} lesson", "{n} lessons", n).format(n=n)
    pgettext("mark kind", "oral")
    KINDS = {"oral": N_("oral")}   # marked here, translated where shown: _(KINDS[kind])

The catalogs are ``api_client/locale/<lang>/LC_MESSAGES/diary.po``, plain gettext files that
Poedit or Weblate edit. They are compiled on first use into the user's cache folder, under a
name that carries a digest of the ``.po`` file, so a compiled catalog is never stale; Babel is
imported only for that compilation and for dates and numbers in a language other than English.

The language in force is the process's (:func:`set_language`: the app and the command lines,
which may switch it while running: a Textual app runs each widget in a task of its own, so a
context variable set in one would not reach the others), unless a context speaks another
(:func:`using`: the server per request from ``Accept-Language`` with :func:`negotiate`, tests).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

SOURCE: Final = "en"
"""The language the strings are written in: it has no catalog."""

LANGUAGES: Final = ("ru", "en")
"""The languages the product speaks, Russian first."""

LANGUAGE_NAMES: Final = {"ru": "Русский", "en": "English"}
"""Each language's name in itself, as a language chooser shows it."""

DOMAIN: Final = "diary"
LOCALE_DIR: Final = Path(__file__).parent / "locale"

_process_language = SOURCE
"""The language of the process (the app, a command line): :func:`set_language`."""

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "diary_language", default=None
)
"""A context's own language (a server request, a test's block): :func:`using`."""


def language() -> str:
    """The language in force here: ``"ru"`` or ``"en"``."""
    return _current.get() or _process_language


def set_language(lang: str | None) -> str:
    """Sets the language of the whole process (the app, a command line run): every task and
    thread speaks it from now on, except inside :func:`using`. Returns the language set
    (English for None or one we do not speak)."""
    global _process_language
    _process_language = normalize(lang) or SOURCE
    return _process_language


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Speaks ``lang`` inside the block (a server request, a test), whatever the process
    speaks; other tasks are not touched."""
    token = _current.set(normalize(lang) or SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def normalize(tag: str | None) -> str | None:
    """The product language a locale name or language tag stands for, or None:
    ``ru_RU.UTF-8`` and ``ru-RU`` are ``ru``; ``C``, ``POSIX`` and unknown languages are None."""
    if not tag:
        return None
    base = tag.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").split("_", 1)[0]
    base = base.lower()
    return base if base in LANGUAGES else None


def from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The language the locale asks for (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``, as
    POSIX orders them), or None when it names none we speak (``C``, ``POSIX``, unset)."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalize(value)
    return None


LANGUAGE_VARIABLE: Final = "DIARY_LANG"
"""The environment's word on the language, as strong as ``--lang`` (scripts, tests)."""


def chosen(
    asked: str | None = None,
    configured: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str | None:
    """The language the user chose, strongest first: ``--lang`` (``asked``) or ``DIARY_LANG``,
    then the config file's ``language`` (``configured``), then the locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``). None when nothing names a language we speak: then the school's
    language decides, once it is known."""
    env = os.environ if env is None else env
    for candidate in (asked, env.get(LANGUAGE_VARIABLE), configured):
        if lang := normalize(candidate):
            return lang
    return from_environment(env)


def negotiate(accept_language: str | None) -> str:
    """The language to answer an ``Accept-Language`` header in (RFC 9110 §12.5.4): the one
    with the highest weight that we speak; English when none is."""
    if not accept_language:
        return SOURCE
    best, best_q = SOURCE, -1.0
    for position, item in enumerate(accept_language.split(",")[:32]):
        tag, _sep, params = item.strip().partition(";")
        lang = normalize(tag) if tag.strip() != "*" else None
        if lang is None:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Among equal weights the first listed wins.
        if q > best_q or (q == best_q and position == 0):
            best, best_q = lang, q
    return best if best_q > 0 else SOURCE


# --- catalogs --------------------------------------------------------------------------


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _cache_dir() -> Path:
    configured = os.environ.get("DIARY_CACHE_DIR")
    if configured:
        return Path(configured) / "locale"
    import platformdirs

    return Path(platformdirs.user_cache_dir("diary")) / "locale"


def compile_catalog(po: bytes) -> bytes:
    """The ``.mo`` form of a ``.po`` file's text (Babel; fuzzy entries left out)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po))
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for ``lang``; no translation for the source language or one
    without a catalog. Compiled once per version of the ``.po`` file, then read from cache."""
    if lang == SOURCE:
        return gettext.NullTranslations()
    path = catalog_path(lang)
    try:
        po = path.read_bytes()
    except OSError:
        return gettext.NullTranslations()
    digest = hashlib.sha256(po).hexdigest()[:16]
    cached = _cache_dir() / f"{DOMAIN}-{lang}-{digest}.mo"
    try:
        mo = cached.read_bytes()
    except OSError:
        mo = compile_catalog(po)
        with contextlib.suppress(OSError):
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(mo)
            partial.replace(cached)
    import io

    return gettext.GNUTranslations(io.BytesIO(mo))


def _(message: str) -> str:
    """``message`` in the language in force."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` (Russian has three: 1 урок, 3 урока, 5 уроков)."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context``, for words English spells alike in two senses."""
    return translations(language()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a string for the catalog without translating it yet (module constants that are
    translated where they are shown)."""
    return message


# --- dates and numbers -----------------------------------------------------------------
# English is written by hand (no Babel import for it); other languages use Babel's CLDR data,
# loaded the first time a date or number is shown in them.


def _babel_date(day: object, pattern: str) -> str:
    from babel.dates import format_date

    return format_date(day, pattern, locale=language())  # type: ignore[arg-type]


def weekday(day: dt.date, *, short: bool = False) -> str:
    """``Wed`` / ``ср``; ``Wednesday`` / ``среда``."""
    if language() == SOURCE:
        return f"{day:%a}" if short else f"{day:%A}"
    return _babel_date(day, "EEEEEE" if short else "EEEE")


def day_month(day: dt.date, *, short: bool = False) -> str:
    """``2 Dec`` / ``2 дек.``; ``2 December`` / ``2 декабря`` (the genitive a date takes)."""
    if language() == SOURCE:
        return f"{day.day} {day:%b}" if short else f"{day.day} {day:%B}"
    return _babel_date(day, "d MMM" if short else "d MMMM")


def day_label(day: dt.date) -> str:
    """A day in a list: ``Wed 2 Dec`` / ``ср, 2 дек.``."""
    if language() == SOURCE:
        return f"{day:%a} {day.day} {day:%b}"
    return f"{weekday(day, short=True)}, {day_month(day, short=True)}"


def day_heading(day: dt.date) -> str:
    """A day as a heading: ``Tuesday 1 December`` / ``вторник, 1 декабря``."""
    if language() == SOURCE:
        return f"{day:%A} {day.day} {day:%B}"
    return f"{weekday(day)}, {day_month(day)}"


def _on_weekdays() -> tuple[str, ...]:
    # Spelled out so the extractor finds each under its context; Russian takes the
    # accusative with its preposition: в понедельник, во вторник, в среду ...
    return (
        pgettext("on a weekday", "on Monday"),
        pgettext("on a weekday", "on Tuesday"),
        pgettext("on a weekday", "on Wednesday"),
        pgettext("on a weekday", "on Thursday"),
        pgettext("on a weekday", "on Friday"),
        pgettext("on a weekday", "on Saturday"),
        pgettext("on a weekday", "on Sunday"),
    )


def on_day(day: dt.date) -> str:
    """A day in a sentence, with the preposition its language puts before it: ``on Tuesday 1
    December`` / ``во вторник, 1 декабря``. The weekday's case comes from the catalog
    (``pgettext("on a weekday", "on Tuesday")``: Babel has no accusative weekdays), the
    month's genitive from Babel (:func:`day_month`)."""
    if language() == SOURCE:
        return f"on {day:%A} {day.day} {day:%B}"
    return f"{_on_weekdays()[day.weekday()]}, {day_month(day)}"


def whole_number(n: int) -> str:
    """``1,465`` / ``1 465`` (Russian groups digits with a no-break space)."""
    text = f"{n:,}"
    return text if language() == SOURCE else text.replace(",", "\u00a0")


def number(value: float) -> str:
    """A number as short as it goes: ``4.5`` / ``4,5``, ``3`` (a chart's scale)."""
    text = f"{value:g}"
    if language() == SOURCE or "." not in text:
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(language()))


def decimal(value: float, places: int = 2) -> str:
    """``3.45`` / ``3,45``."""
    text = f"{value:.{places}f}"
    if language() == SOURCE:
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(language()))
