"""Credential slips: a login and a one-time password (or an invite code) per person, to print.

``render_text_slips`` gives plain text (80 columns, cut lines between slips) that prints from
any terminal; ``render_pdf_slips`` gives an A4 PDF with eight slips a page and dashed cut lines.
The PDF needs a Unicode TrueType font for Cyrillic names: DejaVu Sans from the system
(Debian/Ubuntu: the ``fonts-dejavu-core`` package) or the font file named by the
``DIARY_SLIP_FONT`` environment variable. Without one, slips whose text is all Latin still
print with the PDF's built-in Helvetica and Courier; Cyrillic ones raise ``SlipFontError``.

The slips' words come from the product's catalogs (``api_client/locale``), in the language
asked for: the request's, else the school's.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from api_client import i18n, names
from api_client.i18n import _
from api_client.models import Role

if TYPE_CHECKING:
    from fpdf import FPDF

WIDTH = 80
"""The text slips fit in this many columns."""

FONT_ENV = "DIARY_SLIP_FONT"
"""A .ttf file to use instead of DejaVu Sans (its bold and mono siblings are optional)."""

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts/dejavu"),  # FreeBSD
    Path("/Library/Fonts"),
)


class SlipFontError(RuntimeError):
    """No font can print these slips; the message says what to install."""


@dataclass(frozen=True)
class Slip:
    """One person's slip. A slip carries a login with a one-time password, or an invite code
    (a parent who has no account yet registers with it)."""

    name: str
    role: str
    """An ``api_client.models.Role`` value: pupil, parent, teacher..."""
    login: str = ""
    one_time_password: str = ""
    invite_code: str = ""
    child_name: str = ""
    """For a parent: the pupil whose parent registers with the invite code, or for whom the
    parent's one-time password was handed out."""
    expires: dt.date | None = None
    """For an invite code: the last day it works."""


@dataclass(frozen=True)
class _Texts:
    title: str
    roles: dict[str, str]
    login: str
    password: str
    code: str
    child: str
    where: str
    expires: str
    login_steps: str
    register_steps: str
    cut: str


LANGUAGES = ("ru", "en")
"""The languages slips are printed in (each has the words below in its catalog)."""


def _texts(lang: str) -> _Texts:
    """The slip's words in ``lang``, from the product's catalogs."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    with i18n.using(lang):
        return _Texts(
            title=_("School diary"),
            roles={role.value: names.role(role) for role in Role},
            login=_("Login"),
            password=_("One-time password"),
            code=_("Invite code"),
            child=_("For a parent of"),
            where=_("Server address"),
            expires=_("Valid until"),
            login_steps=_(
                "Run diary (or open the school diary), enter the server address, your login and "
                "this one-time password. Choose your own password right after logging in. Show "
                "this slip to nobody."
            ),
            register_steps=_(
                "Run diary register (or choose Register on the login screen), enter the server "
                "address, this code, your name, a login and a password. The code works once; if "
                "you already have an account, add the code to it."
            ),
            cut=_("cut here"),
        )


class _ByLanguage(Mapping[str, _Texts]):
    """The slip's words of each language, read from the catalogs when asked for."""

    def __getitem__(self, lang: str) -> _Texts:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return _texts(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


TEXTS: Mapping[str, _Texts] = _ByLanguage()


def _check(slips: Sequence[Slip]) -> None:
    for slip in slips:
        if not slip.name.strip():
            raise ValueError("every slip needs the person's name")
        has_login = bool(slip.login and slip.one_time_password)
        if has_login == bool(slip.invite_code):
            raise ValueError(
                f"the slip of {slip.name} needs either a login with a one-time password "
                "or an invite code"
            )


@dataclass(frozen=True)
class _SlipContent:
    heading: str
    person: str
    fields: list[tuple[str, str]]
    """(label, value): values are shown in a monospaced font on paper."""
    steps: str


def _content(
    slip: Slip, *, school: str, class_name: str, server_url: str, t: _Texts
) -> _SlipContent:
    heading = " · ".join(part for part in (t.title, school.strip(), class_name.strip()) if part)
    role = t.roles.get(slip.role, slip.role)
    fields: list[tuple[str, str]] = []
    if slip.invite_code:
        if slip.child_name:
            fields.append((t.child, slip.child_name))
        fields.append((t.code, slip.invite_code))
        if slip.expires is not None:
            fields.append((t.expires, slip.expires.strftime("%d.%m.%Y")))
        steps = t.register_steps
    else:
        if slip.child_name:
            fields.append((t.child, slip.child_name))
        fields.append((t.login, slip.login))
        fields.append((t.password, slip.one_time_password))
        steps = t.login_steps
    fields.append((t.where, server_url))
    return _SlipContent(heading, f"{slip.name} ({role})", fields, steps)


def _cut_line(t: _Texts) -> str:
    label = f"-- {t.cut} "
    return label + "-" * (WIDTH - len(label))


def render_text_slips(
    slips: list[Slip], *, school: str, class_name: str, server_url: str, lang: str = "ru"
) -> str:
    """Plain-text slips, one per person, separated by cut lines; no line is over 80 columns."""
    _check(slips)
    t = _texts(lang)
    out: list[str] = [_cut_line(t)]
    for slip in slips:
        c = _content(slip, school=school, class_name=class_name, server_url=server_url, t=t)
        label_width = max(len(label) for label, _ in c.fields) + 2
        block: list[str] = []
        block += textwrap.wrap(c.heading, WIDTH - 2) or [""]
        block += textwrap.wrap(c.person, WIDTH - 2)
        block.append("")
        for label, value in c.fields:
            block += textwrap.wrap(
                value,
                WIDTH - 2,
                initial_indent=f"{label + ':':<{label_width}}",
                subsequent_indent=" " * label_width,
                break_long_words=True,
                break_on_hyphens=False,
            )
        block.append("")
        block += textwrap.wrap(c.steps, WIDTH - 2)
        out += [f"  {line}".rstrip() for line in block]
        out.append(_cut_line(t))
    return "\n".join(out) + "\n"


# --- PDF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str
    mono: str
    files: dict[str, Path]
    """Family -> TrueType file; empty for the built-in fonts."""


def find_unicode_fonts() -> _Fonts | None:
    """DejaVu (or ``DIARY_SLIP_FONT``) as fpdf families, or None when no font file is found."""
    chosen = os.environ.get(FONT_ENV, "").strip()
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise SlipFontError(f"{FONT_ENV} is {chosen!r}, which is not a font file")
        return _Fonts("slip", "slip", "slip", {"slip": path})
    for folder in FONT_DIRS:
        regular = folder / "DejaVuSans.ttf"
        if regular.is_file():
            files = {"sans": regular}
            for family, name in (
                ("sans-bold", "DejaVuSans-Bold.ttf"),
                ("mono", "DejaVuSansMono.ttf"),
            ):
                if (folder / name).is_file():
                    files[family] = folder / name
            return _Fonts(
                "sans",
                "sans-bold" if "sans-bold" in files else "sans",
                "mono" if "mono" in files else "sans",
                files,
            )
    return None


_BUILTIN = _Fonts("helvetica", "helvetica-bold", "courier", {})


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


# A4 in millimetres, two columns of four slips.
_PAGE_W, _PAGE_H = 210.0, 297.0
_MARGIN = 8.0
_COLUMNS, _ROWS = 2, 4
_PAD = 5.0


def render_pdf_slips(
    slips: list[Slip],
    *,
    school: str,
    class_name: str,
    server_url: str,
    lang: str = "ru",
    created: dt.datetime | None = None,
) -> bytes:
    """An A4 PDF with eight slips a page, dashed cut lines between them; one outline entry
    (bookmark) per slip, named after the person. ``created`` fixes the document's date."""
    _check(slips)
    t = _texts(lang)
    contents = [
        _content(s, school=school, class_name=class_name, server_url=server_url, t=t) for s in slips
    ]
    everything = " ".join(
        " ".join([c.heading, c.person, c.steps, *(f"{a} {b}" for a, b in c.fields)])
        for c in contents
    )
    fonts = find_unicode_fonts()
    if fonts is None:
        if not _latin1(everything):
            raise SlipFontError(
                _(
                    "Printing Cyrillic slips needs a Unicode font: install DejaVu Sans (Debian "
                    "and Ubuntu: apt-get install fonts-dejavu-core) or set {env} to a .ttf file."
                ).format(env=FONT_ENV)
            )
        fonts = _BUILTIN

    from fpdf import FPDF  # imported here: only this command needs it

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margin(_MARGIN)
    pdf.set_creation_date(created or dt.datetime.now(dt.UTC))
    pdf.set_title(" · ".join(p for p in (t.title, school, class_name) if p))
    pdf.set_creator("diary-server")
    for family, path in fonts.files.items():
        pdf.add_font(family, fname=str(path))

    def use(font: str, size: float) -> None:
        if font.endswith("-bold") and not fonts.files:
            pdf.set_font(font.removesuffix("-bold"), style="B", size=size)
        else:
            pdf.set_font(font, size=size)

    slip_w = (_PAGE_W - 2 * _MARGIN) / _COLUMNS
    slip_h = (_PAGE_H - 2 * _MARGIN) / _ROWS
    per_page = _COLUMNS * _ROWS
    for index, content in enumerate(contents):
        place = index % per_page
        if place == 0:
            pdf.add_page()
            _cut_lines(pdf, slip_w, slip_h)
        x = _MARGIN + (place % _COLUMNS) * slip_w + _PAD
        y = _MARGIN + (place // _COLUMNS) * slip_h + _PAD
        inner_w = slip_w - 2 * _PAD

        def write(height: float, text: str, x: float = x, width: float = inner_w) -> None:
            pdf.set_x(x)
            pdf.multi_cell(width, height, text, align="L", new_x="LEFT", new_y="NEXT")

        pdf.set_xy(x, y)
        pdf.start_section(content.person)
        use(fonts.regular, 7.5)
        write(3.4, content.heading)
        use(fonts.bold, 10.5)
        write(5, content.person)
        pdf.ln(1)
        for label, value in content.fields:
            use(fonts.regular, 7.5)
            write(3.4, label)
            mono_size = 11.0 if len(value) <= 30 else 8.0
            use(fonts.mono, mono_size)
            write(4.8, value)
        pdf.ln(1.5)
        use(fonts.regular, 7)
        write(3.1, content.steps)
        if pdf.get_y() > y - _PAD + slip_h:
            raise ValueError(f"the slip of {content.person} is too long to print")
    if not contents:
        pdf.add_page()
    return bytes(pdf.output())


def _cut_lines(pdf: FPDF, slip_w: float, slip_h: float) -> None:
    pdf.set_draw_color(120)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for column in range(_COLUMNS + 1):
        x = _MARGIN + column * slip_w
        pdf.line(x, _MARGIN, x, _PAGE_H - _MARGIN)
    for row in range(_ROWS + 1):
        y = _MARGIN + row * slip_h
        pdf.line(_MARGIN, y, _PAGE_W - _MARGIN, y)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)
