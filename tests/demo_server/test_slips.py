"""Credential slips: plain text for any printer, and a PDF with one slip per person."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from demo_server import slips as slips_module
from demo_server.passwords import generate_invite_code, generate_one_time_password
from demo_server.slips import (
    FONT_ENV,
    WIDTH,
    Slip,
    SlipFontError,
    find_unicode_fonts,
    render_pdf_slips,
    render_text_slips,
)
from tests.services import require

NAMES_RU = [
    "Иванова Анна Сергеевна",
    "Петров Илья",
    "Кузнецов-Щедрин Константин Константинович",
    "Ёлкина Юлия",
    "Смирнов Олег",
    "Орлова Дарья",
    "Попов Глеб",
    "Волкова Вера",
    "Зайцев Кирилл",
    "Соколова Майя",
]
URL = "https://diary.school5.example.ru"


def class_slips(names: list[str]) -> list[Slip]:
    rng = random.Random(5)
    slips = [
        Slip(
            name=name,
            role="pupil",
            login=f"pupil{i:02}.x",
            one_time_password=generate_one_time_password(rng),
        )
        for i, name in enumerate(names)
    ]
    slips.append(
        Slip(
            name="Родитель: Иванова Анна" if names is NAMES_RU else "Parent of Anna Brown",
            role="parent",
            invite_code=generate_invite_code(rng),
            child_name=names[0],
            expires=dt.date(2025, 9, 30),
        )
    )
    return slips


# --- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_text_slips_fit_80_columns_and_hold_each_login_once(lang: str) -> None:
    slips = class_slips(NAMES_RU)
    text = render_text_slips(
        slips,
        school="Школа № 5 имени очень длинного названия " * 3,
        class_name="5А",
        server_url=URL + "/a/very/long/path/that/goes/on/" * 3,
        lang=lang,
    )
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    for slip in slips:
        if slip.login:
            assert text.count(slip.login) == 1
            assert text.count(slip.one_time_password) == 1
        else:
            assert text.count(slip.invite_code) == 1
        assert slip.name in text
    # Cut lines: one before, between and after the slips.
    cuts = [line for line in lines if line.startswith("-- ")]
    assert len(cuts) == len(slips) + 1
    instruction = "одноразовый пароль" if lang == "ru" else "one-time password"
    assert text.count(instruction) == len(slips) - 1
    assert ("30.09.2025" in text) and ("diary register" in text)


def test_text_slips_say_the_role_in_the_schools_language() -> None:
    slip = [Slip("Brown Ann", "teacher", login="brown.a", one_time_password="kefu-7392-mapo")]
    en = render_text_slips(slip, school="Hill School", class_name="5A", server_url=URL, lang="en")
    ru = render_text_slips(slip, school="Школа", class_name="5А", server_url=URL, lang="ru")
    assert "(teacher)" in en and "Login:" in en
    assert "(учитель)" in ru and "Логин:" in ru


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        (Slip("", "pupil", login="a.b", one_time_password="x"), "name"),
        (Slip("A B", "pupil", login="a.b"), "either"),
        (Slip("A B", "parent", login="a.b", one_time_password="x", invite_code="Y"), "either"),
    ],
)
def test_incomplete_slips_are_refused(slip: Slip, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        render_text_slips([slip], school="S", class_name="5A", server_url=URL)
    with pytest.raises(ValueError, match="language"):
        render_text_slips([], school="S", class_name="5A", server_url=URL, lang="de")


# --- PDF -----------------------------------------------------------------------------------------


def outline_titles(pdf: bytes) -> list[str]:
    """The titles of the outline entries (bookmarks), one per slip, in order."""
    titles = []
    for obj in pdf.split(b"endobj"):
        if b"/Parent" not in obj or b"/Dest" not in obj:
            continue  # not an outline item
        match = re.search(rb"/Title (<[0-9a-fA-F]+>|\((?:[^)\\]|\\.)*\))", obj)
        assert match, obj
        raw = match.group(1)
        if raw.startswith(b"<"):
            data = bytes.fromhex(raw[1:-1].decode())
            bom = data[:2] == b"\xfe\xff"
            titles.append(data[2:].decode("utf-16-be") if bom else data.decode("latin-1"))
        else:
            titles.append(re.sub(rb"\\(.)", rb"\1", raw[1:-1]).decode("latin-1"))
    return titles


def page_count(pdf: bytes) -> int:
    match = re.search(rb"/Type /Pages\s*/Count (\d+)|/Count (\d+)\s*/Kids", pdf)
    assert match, "no page tree"
    return int(match.group(1) or match.group(2))


def check_pdf(pdf: bytes, slips: list[Slip], lang: str = "ru") -> None:
    assert pdf.startswith(b"%PDF-1.")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert outline_titles(pdf) == [
        f"{s.name} ({slips_module.TEXTS[lang].roles[s.role]})" for s in slips
    ]
    assert page_count(pdf) == -(-len(slips) // 8)


def test_pdf_in_russian_has_one_slip_per_person() -> None:
    require(find_unicode_fonts() is not None, "the DejaVu Sans font (fonts-dejavu-core)")
    slips = class_slips(NAMES_RU)
    pdf = render_pdf_slips(slips, school="Школа № 5", class_name="5А", server_url=URL)
    check_pdf(pdf, slips)
    assert b"/FontFile2" in pdf  # the TrueType font is embedded (a subset of it)


def test_pdf_is_deterministic_with_a_fixed_date() -> None:
    require(find_unicode_fonts() is not None, "the DejaVu Sans font (fonts-dejavu-core)")
    when = dt.datetime(2025, 9, 1, 8, 0, tzinfo=dt.UTC)
    slips = class_slips(NAMES_RU[:3])
    one = render_pdf_slips(slips, school="S", class_name="5А", server_url=URL, created=when)
    two = render_pdf_slips(slips, school="S", class_name="5А", server_url=URL, created=when)
    assert one == two


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
def test_pdf_text_holds_each_login_once(tmp_path: Path) -> None:
    require(find_unicode_fonts() is not None, "the DejaVu Sans font (fonts-dejavu-core)")
    slips = class_slips(NAMES_RU)
    path = tmp_path / "slips.pdf"
    path.write_bytes(render_pdf_slips(slips, school="Школа № 5", class_name="5А", server_url=URL))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    for slip in slips:
        secret = slip.login or slip.invite_code
        assert text.count(secret) == 1, secret
    assert text.count("Логин") == len(slips) - 1
    assert "Кузнецов-Щедрин" in text


def test_pdf_without_a_unicode_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """No font file: English slips use the built-in fonts; Cyrillic ones get a clear error."""
    monkeypatch.setattr(slips_module, "FONT_DIRS", ())
    monkeypatch.delenv(FONT_ENV, raising=False)
    assert find_unicode_fonts() is None
    english = class_slips(["Brown Ann", "Smith John", "O'Neill Seán"])
    pdf = render_pdf_slips(
        english, school="Hill School", class_name="5A", server_url=URL, lang="en"
    )
    check_pdf(pdf, english, lang="en")
    assert b"/BaseFont /Helvetica" in pdf and b"/FontFile2" not in pdf
    with pytest.raises(SlipFontError, match="fonts-dejavu-core"):
        render_pdf_slips(class_slips(NAMES_RU[:1]), school="S", class_name="5А", server_url=URL)


def test_font_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "missing.ttf"))
    with pytest.raises(SlipFontError, match="not a font file"):
        render_pdf_slips(class_slips(["Brown Ann"]), school="S", class_name="5A", server_url=URL)
