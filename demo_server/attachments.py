"""Homework attachments: a teacher attaches files to a lesson's homework; whoever may see the
homework downloads them (:func:`demo_server.homework.attachment_file`).

The files are kept in the database (``homework_attachments.content``), not in a folder beside
it: a file is written in the same transaction as its audit record and change-feed row (no
orphan file, no row without its file), one backup of the database holds them all (SQLite's
backup API, ``pg_dump``), and they are guarded by the same access rules and permissions as the
rest of the school's data. The size limit (10 MB by default) keeps rows of a sane size.

What may be attached is decided by the file's name *and* its first bytes: the name's ending
must be one of the allowed kinds (:data:`KINDS`, narrowed by ``ServerSettings.attachment_types``)
and the content must begin as that kind of file does, so a program renamed ``homework.pdf`` is
refused. File names are cleaned (:func:`clean_file_name`): no folders, no control or bidi
characters.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import i18n
from api_client import models as m
from api_client.i18n import N_, _
from demo_server import schema as s
from demo_server.auth import Viewer
from demo_server.journal_rights import Record, may_write_lesson, role_may_write
from demo_server.problems import ProblemError

NAME_MAX = 200
"""The longest file name kept, in characters (the extension is kept whole)."""
FILES_PER_HOMEWORK = 10
"""The most files one homework may carry."""

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, Excel 97-2003, PowerPoint 97-2003
_ZIP = b"PK\x03\x04"  # Office Open XML and OpenDocument files are ZIP archives


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda content: any(content.startswith(p) for p in prefixes)


def _webp(content: bytes) -> bool:
    return content[:4] == b"RIFF" and content[8:12] == b"WEBP"


def _plain_text(content: bytes) -> bool:
    """UTF-8 (with or without BOM) or a one-byte code page such as Windows-1251: no NUL bytes
    and no other control characters than tab, line ends and form feed."""
    sample = content[:65536]
    return not any(b < 32 and b not in (9, 10, 12, 13) for b in sample)


@dataclass(frozen=True)
class Kind:
    """One kind of file a homework may carry."""

    media_type: str
    what: str
    """In words, for a refusal: N_("a PDF document")."""
    looks_like: Callable[[bytes], bool]


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", N_("a PDF document"), _starts(b"%PDF-")),
    "doc": Kind("application/msword", N_("a Word document"), _starts(_OLE)),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        N_("a Word document"),
        _starts(_ZIP),
    ),
    "xls": Kind("application/vnd.ms-excel", N_("an Excel workbook"), _starts(_OLE)),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        N_("an Excel workbook"),
        _starts(_ZIP),
    ),
    "ppt": Kind("application/vnd.ms-powerpoint", N_("a PowerPoint presentation"), _starts(_OLE)),
    "pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        N_("a PowerPoint presentation"),
        _starts(_ZIP),
    ),
    "odt": Kind(
        "application/vnd.oasis.opendocument.text", N_("an OpenDocument text"), _starts(_ZIP)
    ),
    "ods": Kind(
        "application/vnd.oasis.opendocument.spreadsheet",
        N_("an OpenDocument spreadsheet"),
        _starts(_ZIP),
    ),
    "odp": Kind(
        "application/vnd.oasis.opendocument.presentation",
        N_("an OpenDocument presentation"),
        _starts(_ZIP),
    ),
    "rtf": Kind("application/rtf", N_("an RTF document"), _starts(b"{\\rtf")),
    "txt": Kind("text/plain", N_("a plain text"), _plain_text),
    "png": Kind("image/png", N_("a PNG image"), _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": Kind("image/jpeg", N_("a JPEG image"), _starts(b"\xff\xd8\xff")),
    "jpeg": Kind("image/jpeg", N_("a JPEG image"), _starts(b"\xff\xd8\xff")),
    "gif": Kind("image/gif", N_("a GIF image"), _starts(b"GIF87a", b"GIF89a")),
    "webp": Kind("image/webp", N_("a WebP image"), _webp),
}
"""Every kind the server can recognise by its first bytes: documents, images, PDFs and office
files. Not archives, programs, scripts, web pages or SVG (a picture that may carry a script)."""

DEFAULT_TYPES = tuple(KINDS)


def check_types(types: Iterable[str]) -> tuple[str, ...]:
    """The allowed kinds as a server setting names them (``pdf,docx``), checked."""
    chosen = tuple(dict.fromkeys(t.strip().lower().lstrip(".") for t in types if t.strip()))
    unknown = [t for t in chosen if t not in KINDS]
    if unknown:
        raise ValueError(
            f"unknown attachment type {', '.join(unknown)}: choose among {', '.join(KINDS)}"
        )
    if not chosen:
        raise ValueError("at least one attachment type must be allowed")
    return chosen


def size_words(size: int) -> str:
    """A size as a person says it: 850 bytes, 120 KB, 10 MB, 12.4 MB."""
    if size < 1024:
        return i18n.ngettext("{n} byte", "{n} bytes", size).format(n=size)
    if size < 1024 * 1024:
        return _("{n} KB").format(n=f"{size / 1024:.0f}")
    mb = size / (1024 * 1024)
    number = f"{mb:.0f}" if mb == int(mb) or mb >= 100 else i18n.decimal(mb, 1)
    return _("{n} MB").format(n=number)


def too_large(size: int | None, limit: int) -> ProblemError:
    limit_said = size_words(limit)
    if size is None:
        detail = _(
            "a homework file may be at most {limit}: make it smaller (a PDF instead of photos, "
            "a lower resolution) or split it"
        ).format(limit=limit_said)
    else:
        detail = _(
            "the file is {size}; a homework file may be at most {limit}: make it smaller (a PDF "
            "instead of photos, a lower resolution) or split it"
        ).format(size=size_words(size), limit=limit_said)
    return ProblemError(413, detail, field="content")


def media_type(name: str) -> str:
    """The media type a download is sent as (by the name's ending)."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(ext)
    return kind.media_type if kind else "application/octet-stream"


def clean_file_name(raw: str) -> str:
    """The file's own name: what follows the last ``/`` or ``\\``, without control, format
    (bidi) or other invisible characters, leading dots or trailing dots and spaces; at most
    :data:`NAME_MAX` characters with the extension kept. 422 on ``name`` when nothing is left."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in unicodedata.normalize("NFC", base)
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch.isspace()
    )
    name = " ".join(kept.split()).lstrip(". ").rstrip(". ")
    if not name:
        raise ProblemError(
            422,
            _("the file needs a name, such as worksheet.pdf (send it as 'name')"),
            field="name",
        )
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: NAME_MAX - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            name = name[:NAME_MAX]
    return name


def check_file(name: str, content: bytes, *, limit: int, allowed: Iterable[str]) -> str:
    """The cleaned name of a file that may be attached; else the refusal naming the field."""
    name = clean_file_name(name)
    kinds = tuple(allowed)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in kinds:
        allowed_said = ", ".join(kinds)
        if ext:
            detail = _(
                "files of type .{ext} cannot be attached to homework; allowed: {allowed}"
            ).format(ext=ext, allowed=allowed_said)
        else:
            detail = _(
                "a file with no type in its name (.pdf, ...) cannot be attached to homework; "
                "allowed: {allowed}"
            ).format(allowed=allowed_said)
        raise ProblemError(422, detail, field="name")
    if len(content) > limit:
        raise too_large(len(content), limit)
    if not content:
        raise ProblemError(
            422, _("{name} is empty: choose the file again").format(name=name), field="content"
        )
    kind = KINDS[ext]
    if not kind.looks_like(content):
        raise ProblemError(
            422,
            _(
                "{name} is not {what}, though its name ends in .{ext}: save it again as "
                "{what} or give it the right ending"
            ).format(name=name, what=_(kind.what), ext=ext),
            field="content",
        )
    return name


def attachment_ref(row: s.HomeworkAttachment) -> m.Attachment:
    return m.Attachment(id=row.id, name=row.name, size=row.size)


async def attachments_of(
    db: AsyncSession, homework_ids: list[int]
) -> dict[int, list[m.Attachment]]:
    """The files of these homework, in the order they were attached."""
    found: dict[int, list[m.Attachment]] = {}
    if not homework_ids:
        return found
    for att_id, homework_id, name, size in await db.execute(
        select(
            s.HomeworkAttachment.id,
            s.HomeworkAttachment.homework_id,
            s.HomeworkAttachment.name,
            s.HomeworkAttachment.size,
        )
        .where(s.HomeworkAttachment.homework_id.in_(homework_ids))
        .order_by(s.HomeworkAttachment.id)
    ):
        found.setdefault(homework_id, []).append(m.Attachment(id=att_id, name=name, size=size))
    return found


async def attach(
    db: AsyncSession,
    viewer: Viewer,
    lesson_id: int,
    name: str,
    content: bytes,
    *,
    now: dt.datetime,
    limit: int,
    allowed: Iterable[str],
    reason: str = "",
) -> m.Attachment:
    """Attach a file to the homework of the lesson (its teacher; in a closed year the
    administration with a ``reason``: :func:`journal_rights.may_write_lesson`), audited and fed
    as a change of the lesson's homework. The homework must be set first (the journal sends it
    before)."""
    from demo_server.journal import (
        _active_homework,
        _not_cancelled,
        _serialise_on,
        load_lesson,
        log_lesson_write,
    )

    role_may_write(viewer, Record.HOMEWORK)
    ctx = await load_lesson(db, viewer, lesson_id)
    right = await may_write_lesson(db, viewer, ctx.lesson, Record.HOMEWORK, reason)
    _not_cancelled(ctx, "homework")
    name = check_file(name, content, limit=limit, allowed=allowed)
    await _serialise_on(db, s.Lesson, ctx.lesson.id)
    hw = await _active_homework(db, ctx.lesson.id)
    if hw is None:
        raise ProblemError(
            422,
            _(
                "the lesson of {day} has no homework yet: write the homework first, then attach "
                "files to it"
            ).format(day=i18n.day_label(ctx.lesson.date)),
            field="lesson_id",
        )
    count = await db.scalar(select(func.count()).where(s.HomeworkAttachment.homework_id == hw.id))
    if (count or 0) >= FILES_PER_HOMEWORK:
        raise ProblemError(
            422,
            i18n.ngettext(
                "this homework already has {n} file, the most it may carry",
                "this homework already has {n} files, the most it may carry",
                FILES_PER_HOMEWORK,
            ).format(n=FILES_PER_HOMEWORK),
            field="lesson_id",
        )
    att_id = await db.scalar(
        insert(s.HomeworkAttachment)
        .values(homework_id=hw.id, name=name, size=len(content), content=content)
        .returning(s.HomeworkAttachment.id)
    )
    assert att_id is not None
    after = {"homework_id": hw.id, "name": name, "size": len(content)}
    await log_lesson_write(
        db,
        viewer,
        now,
        ctx,
        action="create",
        entity="homework_attachment",
        entity_id=att_id,
        kind="homework.set",
        before=None,
        after=after,
        payload={
            "text": hw.text,
            "due": hw.due.isoformat(),
            "removed": False,
            "attachment": {"id": att_id, "name": name, "size": len(content)},
        },
        reason=right.reason,
    )
    return m.Attachment(id=att_id, name=name, size=len(content))
