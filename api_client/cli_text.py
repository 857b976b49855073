"""The command lines' language, shared by ``diary`` and ``diary-server``.

The language is chosen before a parser is built, since every help text is translated when it
is added: ``--lang ru|en`` anywhere on the command line, else ``DIARY_LANG``, else the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English (:func:`choose`).

argparse writes its own words ("usage:", "options:", "invalid choice ...") through the
``gettext`` functions it imported; :func:`install` routes them through our catalog, so they
come out in the language in force as well. Its words are listed in :data:`ARGPARSE_WORDS`,
marked for the catalog.

Dates on a command line are written as people write them, ``01.11.2026`` or ``1.11.2026``, or
ISO ``2026-11-01`` (:func:`parse_date`, the same parser as the screens' date fields).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Final

from api_client.i18n import (
    LANGUAGES,
    N_,
    SOURCE,
    _,
    chosen,
    ngettext,
    normalize,
    set_language,
)

ARGPARSE_WORDS: Final = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)
"""What argparse says in its own words, for the catalog (argparse asks for them by these
very strings)."""


def lang_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` (``--lang ru``, ``--lang=ru``) wherever it is on the command
    line, the last one winning; None when it is not given or names no language we speak."""
    found: str | None = None
    words = list(argv)
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith("--lang="):
            found = word.split("=", 1)[1]
    return normalize(found) if found else None


def asked(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str | None:
    """The language the user asked for (:func:`api_client.i18n.chosen`: ``--lang``,
    ``DIARY_LANG``, the locale); None when none of them names one we speak."""
    return chosen(lang_option(argv), env=env)


def choose(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The command line's language: ``--lang``, ``DIARY_LANG``, the locale, English."""
    return asked(argv, env) or SOURCE


def _argparse_gettext(message: str) -> str:
    return _(message) if message else message


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n)


def install() -> None:
    """argparse's own words from now on come from our catalog, in the language in force."""
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]


def speak(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """Choose the command line's language and set it (with argparse's words); returns it."""
    lang = choose(argv, env)
    set_language(lang)
    install()
    return lang


def lang_argument(parser: argparse.ArgumentParser) -> None:
    """``--lang``, the option :func:`speak` reads before the parser is built."""
    parser.add_argument(
        "--lang",
        dest="ui_lang",
        choices=LANGUAGES,
        metavar="ru|en",
        help=_(
            "the language of the messages (default: DIARY_LANG, else the locale: LC_ALL, "
            "LC_MESSAGES, LANG; else English)"
        ),
    )


# --- dates as people write them ------------------------------------------------------------

_DOTTED = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def parse_date(text: str) -> dt.date:
    """A day written ``01.11.2026``, ``1.11.2026``, ``1/11/2026`` (day first, as in Russia and
    Britain) or ISO ``2026-11-01``; a ValueError saying how to write it."""
    cleaned = text.strip()
    match = _DOTTED.fullmatch(cleaned)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            return dt.date.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(
            _("{text} is not a day of the calendar.").format(text=repr(cleaned))
        ) from None
    raise ValueError(
        _("{text} is not a date: write it like 25.11.2026 or 2026-11-25.").format(
            text=repr(cleaned)
        )
    )


def date_argument(text: str) -> dt.date:
    """``type=`` of a date option: :func:`parse_date`, its refusal as argparse's."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
