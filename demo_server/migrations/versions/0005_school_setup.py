"""School set-up: a school's language; several bell schedules a school (the normal one,
Saturday's, a shortened day's) and the dates given one; rooms; retiring a year, subject or
class (kept for history, hidden from new choices); a version on each thing set-up changes.

Bells made before this revision become their school's first schedule, "Main".

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer(), server_default="1", nullable=False)


def _retired() -> sa.Column[bool]:
    return sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=8), server_default="ru", nullable=False)
        )
    for table, retirable in (
        ("academic_years", True),
        ("periods", False),
        ("holidays", False),
        ("subjects", True),
        ("classes", True),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if retirable:
                batch_op.add_column(_retired())
            batch_op.add_column(_version())
    op.create_table(
        "bell_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        _retired(),
        _version(),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_bell_schedules_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bell_schedules")),
    )
    with op.batch_alter_table("bell_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bell_schedules_school_id"), ["school_id"], unique=False
        )
    # Each school's existing bells become its first schedule.
    op.execute(
        "INSERT INTO bell_schedules (school_id, name, weekdays, retired, version) "
        "SELECT DISTINCT school_id, 'Main', '0,1,2,3,4', false, 1 FROM bells"
    )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE bells SET schedule_id = (SELECT min(bell_schedules.id) FROM bell_schedules "
        "WHERE bell_schedules.school_id = bells.school_id)"
    )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.alter_column("schedule_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_bells_school_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_bells_schedule_id"), ["schedule_id", "number"]
        )
        batch_op.create_index(batch_op.f("ix_bells_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_bells_schedule_id_bell_schedules"),
            "bell_schedules",
            ["schedule_id"],
            ["id"],
        )
    op.create_table(
        "bell_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["bell_schedules.id"],
            name=op.f("fk_bell_days_schedule_id_bell_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_bell_days_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bell_days")),
        sa.UniqueConstraint("school_id", "date", name=op.f("uq_bell_days_school_id")),
    )
    with op.batch_alter_table("bell_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bell_days_schedule_id"), ["schedule_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bell_days_school_id"), ["school_id"], unique=False)
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        _retired(),
        _version(),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_rooms_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_rooms_school_id")),
    )
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rooms_school_id"), ["school_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_school_id"))
    op.drop_table("rooms")
    with op.batch_alter_table("bell_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bell_days_school_id"))
        batch_op.drop_index(batch_op.f("ix_bell_days_schedule_id"))
    op.drop_table("bell_days")
    # Only each school's first schedule's bells survive: the old table held one per school.
    op.execute(
        "DELETE FROM bells WHERE schedule_id <> (SELECT min(bell_schedules.id) FROM "
        "bell_schedules WHERE bell_schedules.school_id = bells.school_id)"
    )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_bells_schedule_id_bell_schedules"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_bells_schedule_id"))
        batch_op.drop_constraint(batch_op.f("uq_bells_schedule_id"), type_="unique")
        batch_op.create_unique_constraint("uq_bells_school_id", ["school_id", "number"])
        batch_op.drop_column("schedule_id")
    with op.batch_alter_table("bell_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bell_schedules_school_id"))
    op.drop_table("bell_schedules")
    for table, retirable in (
        ("classes", True),
        ("subjects", True),
        ("holidays", False),
        ("periods", False),
        ("academic_years", True),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
            if retirable:
                batch_op.drop_column("retired")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_column("language")
