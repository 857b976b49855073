"""A OneRoster bulk set imported in the caller's transaction, stage by stage, through the
set-up services, the set-up files' planner and writers and the roster's (the one account
importer):

1. the school year and its terms (``academicSessions``) become the year and its periods
   (``setup_calendar``);
2. courses become subjects, homeroom classes classes (the set-up files' planner);
3. users become accounts, pupils in their homeroom, parents linked to the children their
   ``agentSourcedIds`` name (the roster's planner);
4. a homeroom's teacher enrolment makes the class teacher; a scheduled class becomes a group
   of the homeroom when its pupils are part of one homeroom (its teacher and pupils), else
   teaching assignments of its teachers in the homerooms it covers.

Each stage is planned against the school as the stages before left it, so a dry run is the
real run rolled back by the caller. The first stage with a refused line stops the import; every
line of the report names the OneRoster file, line and column it came from. What each
``sourcedId`` became is kept (``oneroster_ids``) so a second import finds the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import roster_apply, setup_calendar, setup_import_apply
from demo_server import schema as s
from demo_server.auth import Viewer
from demo_server.oneroster import Bundle, Issue, Record, class_name, role_of
from demo_server.problems import ProblemError
from demo_server.roster import _LOGIN, Action, ImportPlan, parse_roster, plan_import
from demo_server.setup_import import PlannedLine, parse_file, plan_file


@dataclass(frozen=True)
class Origin:
    file: str
    line: int
    columns: Mapping[str, str] = field(default_factory=dict)
    """Our column -> the OneRoster column it came from."""


@dataclass
class Outcome:
    rows: list[m.SetupImportRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for r in self.rows if r.action is Action.REFUSED)

    def report(self, *, dry_run: bool, applied: bool) -> m.SetupImportReport:
        def count(action: Action) -> int:
            return sum(1 for r in self.rows if r.action is action)

        return m.SetupImportReport(
            kind="oneroster",
            dry_run=dry_run,
            applied=applied,
            encoding="utf-8",
            created=count(Action.CREATED),
            changed=count(Action.CHANGED),
            unchanged=count(Action.UNCHANGED),
            skipped=count(Action.SKIPPED),
            refused=count(Action.REFUSED),
            rows=self.rows,
            warnings=self.warnings,
        )


def issue_rows(issues: Sequence[Issue]) -> list[m.SetupImportRow]:
    return [
        m.SetupImportRow(
            line=i.line,
            action=m.ImportAction.REFUSED,
            what="",
            file=i.file,
            column=i.column,
            reason=i.reason,
        )
        for i in sorted(issues, key=lambda i: (i.file, i.line))
    ]


class _Import:
    def __init__(self, db: AsyncSession, bundle: Bundle, viewer: Viewer, now: dt.datetime):
        self.db = db
        self.bundle = bundle
        self.viewer = viewer
        self.now = now
        self.out = Outcome(warnings=list(bundle.warnings))
        self.known: dict[tuple[str, str], int] = {}
        self.made: dict[tuple[str, str], int] = {}
        users = bundle.records.get("users", [])
        self.users = {u.get("sourcedId"): u for u in users}
        self.classes = bundle.by_id("classes")
        self.courses = bundle.by_id("courses")
        self.members: dict[str, list[Record]] = defaultdict(list)
        for e in bundle.records.get("enrollments", []):
            self.members[e.get("classSourcedId")].append(e)
        self.homerooms = {k: c for k, c in self.classes.items() if c.get("classType") == "homeroom"}
        self.homeroom_of: dict[str, str] = {}
        for cid in self.homerooms:
            for e in self.members[cid]:
                if e.get("role") == "student":
                    self.homeroom_of[e.get("userSourcedId")] = cid
        self.logins: dict[str, str] = {}

    # -- the report --

    def add(self, origin: Origin, action: Action, what: str, reason: str, column: str) -> None:
        self.out.rows.append(
            m.SetupImportRow(
                line=origin.line,
                action=m.ImportAction(action.value),
                what=what,
                file=origin.file,
                column=origin.columns.get(column, ""),
                reason=reason,
            )
        )

    # -- stages --

    async def run(self) -> None:
        for kind, sourced, target in await self.db.execute(
            select(s.OneRosterId.kind, s.OneRosterId.sourced_id, s.OneRosterId.target_id).where(
                s.OneRosterId.school_id == self.viewer.school_id
            )
        ):
            self.known[(str(kind), str(sourced))] = int(target)
        for stage in (
            self.sessions,
            self.subjects,
            self.homeroom_classes,
            self.people,
            self.class_teachers,
            self.teaching,
        ):
            await stage()
            if self.out.refused:
                return
        await self.keep_ids()

    async def sessions(self) -> None:
        sessions = self.bundle.records.get("academicSessions", [])
        years = [r for r in sessions if r.get("type") == "schoolYear"]
        existing = {
            (y.start, y.end): y
            for y in await self.db.scalars(
                select(s.AcademicYear).where(s.AcademicYear.school_id == self.viewer.school_id)
            )
        }
        for record in years:
            start = dt.date.fromisoformat(record.get("startDate"))
            end = dt.date.fromisoformat(record.get("endDate"))
            origin = Origin(record.file, record.line, {"body": "title", "end": "endDate"})
            year = existing.get((start, end))
            title = record.get("title") or f"{start.year}/{end.year % 100:02d}"
            if year is None:
                try:
                    made = await setup_calendar.create_year(
                        self.db,
                        school_id=self.viewer.school_id,
                        actor_id=self.viewer.id,
                        data=m.YearCreate(name=title[:20], start=start, end=end),
                        now=self.now,
                    )
                except ProblemError as problem:
                    self.add(origin, Action.REFUSED, title, problem.detail, "end")
                    continue
                year_id = made.id
                self.add(origin, Action.CREATED, title, "", "")
            else:
                year_id = year.id
                self.add(origin, Action.UNCHANGED, year.name, "", "")
            self.made[("session", record.get("sourcedId"))] = year_id
            await self.periods(record, year_id)

    async def periods(self, year: Record, year_id: int) -> None:
        children = [
            r
            for r in self.bundle.records.get("academicSessions", [])
            if r.get("parentSourcedId") == year.get("sourcedId")
        ]
        if not children:
            return
        kind_counts = Counter(r.get("type") for r in children)
        chosen = sorted(
            (r for r in children if r.get("type") == kind_counts.most_common(1)[0][0]),
            key=lambda r: r.get("startDate"),
        )
        kind = {2: m.PeriodKind.HALF, 3: m.PeriodKind.TRIMESTER}.get(
            len(chosen), m.PeriodKind.QUARTER
        )
        have = {
            (p.start, p.end): p.id
            for p in await self.db.scalars(select(s.Period).where(s.Period.year_id == year_id))
        }
        for number, record in enumerate(chosen, start=1):
            start = dt.date.fromisoformat(record.get("startDate"))
            end = dt.date.fromisoformat(record.get("endDate"))
            origin = Origin(record.file, record.line, {"start": "startDate", "end": "endDate"})
            title = record.get("title")
            if (start, end) in have:
                self.made[("session", record.get("sourcedId"))] = have[(start, end)]
                self.add(origin, Action.UNCHANGED, title, "", "")
                continue
            try:
                period = await setup_calendar.add_period(
                    self.db,
                    school_id=self.viewer.school_id,
                    actor_id=self.viewer.id,
                    year_id=year_id,
                    data=m.PeriodCreate(kind=kind, number=number, start=start, end=end),
                    now=self.now,
                )
            except ProblemError as problem:
                self.add(origin, Action.REFUSED, title, problem.detail, problem.field or "")
                continue
            self.made[("session", record.get("sourcedId"))] = period.id
            self.add(origin, Action.CREATED, title, "", "")

    async def setup_file(
        self, kind: str, header: str, lines: list[tuple[str, Origin]]
    ) -> list[PlannedLine]:
        """Plan and (when nothing is refused) write a set-up file made of ``lines``; the
        report names each line's OneRoster origin."""
        if not lines:
            return []
        data = ("\n".join([header, *(text for text, _o in lines)]) + "\n").encode()
        parsed = parse_file(kind, data)
        snapshot = await setup_import_apply.build_snapshot(
            self.db, self.viewer.school_id, self.viewer.today
        )
        plan = plan_file(parsed, snapshot)
        for row in plan.rows:
            origin = lines[row.line - 2][1]
            column = next(
                (k for c in parsed.kind.columns for k in [c.key] if parsed.column(k) == row.column),
                "",
            )
            self.add(origin, row.action, row.what, row.reason, column)
        if plan.can_apply:
            await setup_import_apply.apply_plan(
                self.db, plan, data=data, viewer=self.viewer, now=self.now
            )
        return list(plan.rows)

    async def subjects(self) -> None:
        names: dict[str, int] = {}
        for sid, name in await self.db.execute(
            select(s.Subject.id, s.Subject.name).where(s.Subject.school_id == self.viewer.school_id)
        ):
            names[str(name)] = int(sid)
        by_id = {v: k for k, v in names.items()}
        lines = []
        self.subject_name: dict[str, str] = {}
        for record in self.courses.values():
            known = self.known.get(("course", record.get("sourcedId")))
            name = by_id.get(known, record.get("title")) if known else record.get("title")
            self.subject_name[record.get("sourcedId")] = name
            lines.append((_cell(name), Origin(record.file, record.line, {"subject": "title"})))
        await self.setup_file("subjects", "subject", lines)

    async def class_names(self) -> dict[int, str]:
        return {
            int(cid): f"{grade}{letter}"
            for cid, grade, letter in await self.db.execute(
                select(s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter).where(
                    s.SchoolClass.school_id == self.viewer.school_id
                )
            )
        }

    async def homeroom_classes(self) -> None:
        names = await self.class_names()
        self.homeroom_name: dict[str, str] = {}
        lines = []
        for sourced, record in self.homerooms.items():
            known = self.known.get(("class", sourced))
            name = names.get(known, class_name(record)) if known else class_name(record)
            self.homeroom_name[sourced] = name
            lines.append((_cell(name), Origin(record.file, record.line, {"class": "title"})))
        await self.setup_file("classes", "class", lines)

    async def people(self) -> None:
        logins = {
            int(uid): str(login)
            for uid, login in await self.db.execute(
                select(s.User.id, s.User.login).where(s.User.school_id == self.viewer.school_id)
            )
        }
        children: dict[str, set[str]] = defaultdict(set)
        roles = {k: role_of(self.bundle, u) for k, u in self.users.items()}
        for sourced, user in self.users.items():
            for agent in (a.strip() for a in user.get("agentSourcedIds").split(",")):
                if not agent:
                    continue
                if roles[sourced] == "parent" and roles.get(agent) == "pupil":
                    children[sourced].add(agent)
                elif roles[sourced] == "pupil" and roles.get(agent) == "parent":
                    children[agent].add(sourced)
        lines: list[str] = ["kind;last_name;first_name;middle_name;class;login;children"]
        origins: list[tuple[str, Origin]] = []
        columns = {
            "last_name": "familyName",
            "first_name": "givenName",
            "middle_name": "middleName",
            "login": "username",
        }
        order = sorted(
            self.users.items(),
            key=lambda kv: (
                ("pupil", "teacher", "parent").index(roles[kv[0]]) if roles[kv[0]] else 3
            ),
        )
        for sourced, user in order:
            role = roles[sourced]
            origin = Origin(user.file, user.line, columns)
            known = self.known.get(("user", sourced))
            login = logins.get(known, "") if known else ""
            login = login or _login(user.get("username"))
            cls = ""
            if role == "pupil":
                homeroom = self.homeroom_of.get(sourced)
                if homeroom is None:
                    self.add(
                        origin,
                        Action.REFUSED,
                        _name(user),
                        _("the student is enrolled in no homeroom class: enrol them in one"),
                        "",
                    )
                    continue
                cls = self.homeroom_name[homeroom]
            kids = ""
            if role == "parent":
                refs = []
                for child in sorted(children[sourced]):
                    homeroom = self.homeroom_of.get(child)
                    if homeroom is not None:
                        refs.append(f"{_name(self.users[child])} {self.homeroom_name[homeroom]}")
                kids = ", ".join(refs)
            cells = [
                role,
                user.get("familyName"),
                user.get("givenName"),
                user.get("middleName"),
                cls,
                login,
                kids,
            ]
            lines.append(";".join(_cell(c) for c in cells))
            origins.append((sourced, origin))
        if self.out.refused or len(lines) == 1:
            return
        data = ("\n".join(lines) + "\n").encode()
        parsed = parse_roster(data)
        snapshot = await roster_apply.build_snapshot(
            self.db, self.viewer.school_id, self.viewer.today
        )
        plan: ImportPlan = plan_import(parsed, snapshot)
        for row in plan.rows:
            sourced, origin = origins[row.line - 2]
            self.add(origin, row.action, row.name, row.reason, "")
            if row.login:
                self.logins[sourced] = row.login
        if plan.can_apply:
            await roster_apply.apply_plan(
                self.db,
                plan,
                parsed,
                data=data,
                school_id=self.viewer.school_id,
                actor_id=self.viewer.id,
                today=self.viewer.today,
                now=self.now,
            )

    def teachers_of(self, class_sourced: str) -> list[Record]:
        return [e for e in self.members[class_sourced] if e.get("role") == "teacher"]

    async def class_teachers(self) -> None:
        lines = []
        for sourced in self.homerooms:
            teachers = self.teachers_of(sourced)
            teachers.sort(key=lambda e: e.get("primary").lower() != "true")
            if not teachers or teachers[0].get("userSourcedId") not in self.logins:
                continue
            enrol = teachers[0]
            lines.append(
                (
                    f"{_cell(self.homeroom_name[sourced])};"
                    f"{self.logins[enrol.get('userSourcedId')]}",
                    Origin(enrol.file, enrol.line, {"class_teacher": "userSourcedId"}),
                )
            )
        await self.setup_file("classes", "class;class_teacher", lines)

    async def teaching(self) -> None:
        """Scheduled classes: a group when their pupils are part of one homeroom, else the
        teachers' assignments in the homerooms they cover."""
        groups: list[tuple[str, Origin]] = []
        assignments: list[tuple[str, Origin]] = []
        self.group_of: dict[str, tuple[str, str, str]] = {}
        for sourced, record in self.classes.items():
            if record.get("classType") != "scheduled":
                continue
            subject = self.subject_name[record.get("courseSourcedId")]
            pupils = {
                e.get("userSourcedId") for e in self.members[sourced] if e.get("role") == "student"
            }
            teachers = [
                self.logins[e.get("userSourcedId")]
                for e in self.teachers_of(sourced)
                if e.get("userSourcedId") in self.logins
            ]
            homerooms = {self.homeroom_of[p] for p in pupils if p in self.homeroom_of}
            origin = Origin(record.file, record.line, {"group": "title", "class": "title"})
            if not teachers:
                self.out.warnings.append(
                    _("{file} line {line}: {title} has no teacher and is not imported").format(
                        file=record.file, line=record.line, title=record.get("title")
                    )
                )
                continue
            if len(homerooms) == 1:
                homeroom = next(iter(homerooms))
                whole = {p for p, h in self.homeroom_of.items() if h == homeroom}
                cls = self.homeroom_name[homeroom]
                if pupils < whole:
                    name = record.get("title")[:40]
                    logins = ", ".join(sorted(self.logins[p] for p in pupils if p in self.logins))
                    groups.append(
                        (
                            ";".join(
                                [
                                    _cell(cls),
                                    _cell(subject),
                                    _cell(name),
                                    teachers[0],
                                    f'"{logins}"',
                                ]
                            ),
                            origin,
                        )
                    )
                    self.group_of[sourced] = (cls, subject, name)
                    for teacher in teachers[1:]:
                        assignments.append(
                            (f"{teacher};{_cell(cls)};{_cell(subject)};{_cell(name)}", origin)
                        )
                    continue
            for homeroom in sorted(homerooms):
                for teacher in teachers:
                    assignments.append(
                        (
                            f"{teacher};{_cell(self.homeroom_name[homeroom])};{_cell(subject)};",
                            origin,
                        )
                    )
        await self.setup_file("groups", "class;subject;group;teacher;pupils", groups)
        if self.out.refused:
            return
        await self.setup_file("assignments", "teacher;class;subject;group", assignments)

    async def keep_ids(self) -> None:
        """Remember what each sourcedId became."""
        school_id = self.viewer.school_id
        subjects = {
            str(name): int(sid)
            for sid, name in await self.db.execute(
                select(s.Subject.id, s.Subject.name).where(s.Subject.school_id == school_id)
            )
        }
        classes = {name: cid for cid, name in (await self.class_names()).items()}
        users = {
            str(login): int(uid)
            for uid, login in await self.db.execute(
                select(s.User.id, s.User.login).where(s.User.school_id == school_id)
            )
        }
        for sourced, name in self.subject_name.items():
            if name in subjects:
                self.made[("course", sourced)] = subjects[name]
        for sourced, name in self.homeroom_name.items():
            if name in classes:
                self.made[("class", sourced)] = classes[name]
        for sourced, login in self.logins.items():
            if login in users:
                self.made[("user", sourced)] = users[login]
        for sourced, (cls, subject, name) in self.group_of.items():
            group_id = await self.db.scalar(
                select(s.ClassGroup.id).where(
                    s.ClassGroup.class_id == classes.get(cls, 0),
                    s.ClassGroup.subject_id == subjects.get(subject, 0),
                    s.ClassGroup.name == name,
                )
            )
            if group_id is not None:
                self.made[("group", sourced)] = int(group_id)
        changed = {k: v for k, v in self.made.items() if self.known.get(k) != v}
        if not changed:
            return
        for kind, sourced in changed:
            await self.db.execute(
                delete(s.OneRosterId).where(
                    s.OneRosterId.school_id == school_id,
                    s.OneRosterId.kind == kind,
                    s.OneRosterId.sourced_id == sourced,
                )
            )
        await self.db.execute(
            insert(s.OneRosterId),
            [
                {"school_id": school_id, "kind": k, "sourced_id": sid, "target_id": v}
                for (k, sid), v in changed.items()
            ],
        )


def _cell(value: str) -> str:
    return value.replace(";", ",").replace('"', "'")


def _name(user: Record) -> str:
    return " ".join(
        p for p in (user.get("familyName"), user.get("givenName"), user.get("middleName")) if p
    )


def _login(username: str) -> str:
    """The username as the login when it makes a valid one; else the roster makes one."""
    value = username.strip().lower()
    return value if _LOGIN.match(value) else ""


async def import_bundle(
    db: AsyncSession, bundle: Bundle, *, viewer: Viewer, now: dt.datetime
) -> Outcome:
    """Import ``bundle`` in the caller's transaction (the caller rolls back a dry run or an
    outcome with refused lines)."""
    if bundle.issues:
        return Outcome(rows=issue_rows(bundle.issues), warnings=list(bundle.warnings))
    work = _Import(db, bundle, viewer, now)
    await work.run()
    return work.out


__all__ = ["Outcome", "import_bundle", "issue_rows"]
