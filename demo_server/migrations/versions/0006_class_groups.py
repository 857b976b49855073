"""Groups within a class for a subject, and a timetable that knows them: ``class_groups`` and
``group_members``; a teaching assignment, a timetable row and a lesson may name a group; a
timetable row may run on odd or even weeks only (``weeks``); a lesson keeps the timetable row it
was made from (``slot_id``), so a changed timetable regenerates its lessons.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "class_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_class_groups_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_class_groups_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_class_groups_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_groups")),
        sa.UniqueConstraint(
            "class_id", "subject_id", "name", name=op.f("uq_class_groups_class_id")
        ),
    )
    with op.batch_alter_table("class_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_groups_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_class_groups_teacher_id"), ["teacher_id"], unique=False
        )
    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["class_groups.id"], name=op.f("fk_group_members_group_id_class_groups")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_group_members_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_members_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_members_pupil_id"), ["pupil_id"], unique=False)
    with op.batch_alter_table("teaching_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_teaching_assignments_group_id_class_groups"),
            "class_groups",
            ["group_id"],
            ["id"],
        )
        batch_op.drop_constraint("uq_teaching_assignments_teacher_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_teaching_assignments_teacher_id"),
            ["teacher_id", "class_id", "subject_id", "group_id"],
        )
    with op.batch_alter_table("timetable_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("weeks", sa.String(length=4), server_default="all", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_timetable_slots_group_id_class_groups"),
            "class_groups",
            ["group_id"],
            ["id"],
        )
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("slot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lessons_group_id_class_groups"), "class_groups", ["group_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lessons_slot_id_timetable_slots"), "timetable_slots", ["slot_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_lessons_group_id"), ["group_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lessons_group_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_lessons_slot_id_timetable_slots"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_lessons_group_id_class_groups"), type_="foreignkey")
        batch_op.drop_column("slot_id")
        batch_op.drop_column("group_id")
    with op.batch_alter_table("timetable_slots", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_timetable_slots_group_id_class_groups"), type_="foreignkey"
        )
        batch_op.drop_column("weeks")
        batch_op.drop_column("group_id")
    with op.batch_alter_table("teaching_assignments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_teaching_assignments_teacher_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_teaching_assignments_teacher_id"),
            ["teacher_id", "class_id", "subject_id"],
        )
        batch_op.drop_constraint(
            batch_op.f("fk_teaching_assignments_group_id_class_groups"), type_="foreignkey"
        )
        batch_op.drop_column("group_id")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_members_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_group_members_group_id"))
    op.drop_table("group_members")
    with op.batch_alter_table("class_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_groups_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_class_groups_class_id"))
    op.drop_table("class_groups")
