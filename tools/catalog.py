"""Keeps the translation catalogs in step with the source.

    uv run python -m tools.catalog check        # what is missing, untranslated or unused
    uv run python -m tools.catalog add          # appends the missing entries, to translate
    uv run python -m tools.catalog pot FILE     # writes the template for a new language

Strings are found by Babel's extractor where they are marked: ``_()``, ``ngettext()``,
``pgettext()`` and ``N_()`` (see ``api_client/i18n.py``).
"""

from __future__ import annotations

import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from api_client.i18n import LANGUAGES, SOURCE, catalog_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api_client", "demo_server", "diary_tui", "screens")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}

Key = tuple[str, str | None]
"""A message's identity in a catalog: its msgid (the singular) and its context."""


@dataclass(frozen=True)
class SourceMessage:
    key: Key
    plural: str | None
    where: str


def source_messages() -> dict[Key, SourceMessage]:
    found: dict[Key, SourceMessage] = {}
    for package in PACKAGES:
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            strip_comment_tags=True,
        ):
            if isinstance(message, tuple):
                singular, plural = message[0], message[1]
            else:
                singular, plural = message, None
            if not singular:
                continue
            key = (singular, context)
            found.setdefault(key, SourceMessage(key, plural, f"{package}/{filename}:{lineno}"))
    return found


@dataclass
class Report:
    lang: str
    missing: list[SourceMessage] = field(default_factory=list)
    untranslated: list[Key] = field(default_factory=list)
    unused: list[Key] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    bad_plurals: list[Key] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.untranslated or self.duplicated or self.bad_plurals)


def _duplicates(text: str) -> list[str]:
    """msgids entered twice (two branches adding the same string merge to both)."""
    keys = re.findall(r'^(?:msgctxt (".*")\n)?msgid (".*")\n', text, flags=re.MULTILINE)
    return [f"{c} {m}" for (c, m), n in Counter(keys).items() if n > 1 and m != '""']


def check(lang: str, sources: dict[Key, SourceMessage] | None = None) -> Report:
    sources = source_messages() if sources is None else sources
    path = catalog_path(lang)
    text = path.read_text(encoding="utf-8")
    catalog = read_po(io.StringIO(text), locale=lang)
    report = Report(lang, duplicated=_duplicates(text))
    present: set[Key] = set()
    for message in catalog:
        if not message.id:
            continue
        singular = message.id if isinstance(message.id, str) else str(message.id[0])
        key: Key = (singular, message.context)
        present.add(key)
        if key not in sources:
            report.unused.append(key)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            report.untranslated.append(key)
        elif sources[key].plural is not None and len(strings) != catalog.num_plurals:
            report.bad_plurals.append(key)
    report.missing = [m for k, m in sorted(sources.items(), key=_order) if k not in present]
    return report


def _order(item: tuple[Key, SourceMessage]) -> str:
    return item[1].where


def add_missing(lang: str) -> int:
    """Appends each missing message to the end of the catalog with an empty translation."""
    report = check(lang)
    if not report.missing:
        return 0
    catalog = Catalog(locale=lang)
    for message in report.missing:
        singular, context = message.key
        msgid: str | tuple[str, str] = (
            singular if message.plural is None else (singular, message.plural)
        )
        filename, lineno = message.where.rsplit(":", 1)
        catalog.add(
            msgid,
            "" if message.plural is None else ("",) * 3,
            [(filename, int(lineno))],
            context=context,
        )
    out = io.BytesIO()
    write_po(out, catalog, omit_header=True, width=100)
    path = catalog_path(lang)
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + out.getvalue().decode()
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return len(report.missing)


def write_template(target: Path) -> None:
    catalog = Catalog(project="diary-tui")
    for message in source_messages().values():
        singular, context = message.key
        msgid = singular if message.plural is None else (singular, message.plural)
        catalog.add(msgid, context=context)
    with target.open("wb") as out:
        write_po(out, catalog, width=100)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    languages = [lang for lang in LANGUAGES if lang != SOURCE]
    if command == "add":
        for lang in languages:
            print(f"{lang}: {add_missing(lang)} entries added; translate them, then run check")
        return 0
    if command == "pot" and len(argv) == 2:
        write_template(Path(argv[1]))
        return 0
    if command != "check":
        print(__doc__)
        return 2
    ok = True
    sources = source_messages()
    for lang in languages:
        report = check(lang, sources)
        ok = ok and report.ok
        for m in report.missing:
            print(f"{lang}: missing   {m.key[0]!r} ({m.where})")
        for key in report.untranslated:
            print(f"{lang}: untranslated {key[0]!r}")
        for key in report.bad_plurals:
            print(f"{lang}: plural forms {key[0]!r}")
        for dup in report.duplicated:
            print(f"{lang}: entered twice {dup}")
        for key in report.unused:
            print(f"{lang}: unused    {key[0]!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
