"""The initial schema: every table of ``demo_server.schema``.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 11:50:06.455219
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_login_at", ["login", "at"], unique=False)

    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("mark_min", sa.Integer(), nullable=False),
        sa.Column("mark_max", sa.Integer(), nullable=False),
        sa.Column("show_class_rating", sa.Boolean(), nullable=False),
        sa.Column("reason_after_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
    )
    op.create_table(
        "server_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_server_settings")),
    )
    op.create_table(
        "academic_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_academic_years_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academic_years")),
    )
    with op.batch_alter_table("academic_years", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_academic_years_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "bells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("start", sa.String(length=5), nullable=False),
        sa.Column("end", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_bells_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bells")),
        sa.UniqueConstraint("school_id", "number", name=op.f("uq_bells_school_id")),
    )
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bells_school_id"), ["school_id"], unique=False)

    op.create_table(
        "holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_holidays_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holidays")),
        sa.UniqueConstraint("school_id", "date", name=op.f("uq_holidays_school_id")),
    )
    with op.batch_alter_table("holidays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holidays_school_id"), ["school_id"], unique=False)

    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_subjects_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subjects_school_id"), ["school_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_users_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_school_id"), ["school_id"], unique=False)

    op.create_table(
        "absence_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_absence_notices_parent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_absence_notices_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence_notices")),
    )
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_notices_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_audit_log_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(length=4), nullable=False),
        sa.Column("homeroom_teacher_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["homeroom_teacher_id"], ["users.id"], name=op.f("fk_classes_homeroom_teacher_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_classes_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["year_id"], ["academic_years.id"], name=op.f("fk_classes_year_id_academic_years")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint("year_id", "grade", "letter", name=op.f("uq_classes_year_id")),
    )
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classes_homeroom_teacher_id"), ["homeroom_teacher_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_classes_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_classes_year_id"), ["year_id"], unique=False)

    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_records_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_records_user_id")),
    )
    op.create_table(
        "invite_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_invite_codes_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_invite_codes_pupil_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["users.id"], name=op.f("fk_invite_codes_used_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invite_codes_code_hash")),
    )
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invite_codes_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "message_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_message_threads_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_message_threads_pupil_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_message_threads_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
    )
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_threads_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "parent_links",
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_parent_links_parent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_parent_links_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("parent_id", "pupil_id", name=op.f("pk_parent_links")),
    )
    with op.batch_alter_table("parent_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parent_links_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["year_id"], ["academic_years.id"], name=op.f("fk_periods_year_id_academic_years")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
    )
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_periods_year_id"), ["year_id"], unique=False)

    op.create_table(
        "week_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_week_acknowledgements_parent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_week_acknowledgements_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_week_acknowledgements")),
    )
    with op.batch_alter_table("week_acknowledgements", schema=None) as batch_op:
        batch_op.create_index("ix_week_ack_pupil_week", ["pupil_id", "week_start"], unique=False)

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_announcements_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_announcements_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_announcements_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_school_id"), ["school_id"], unique=False)

    op.create_table(
        "changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_changes_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_changes_class_id_classes")
        ),
        sa.ForeignKeyConstraint(["pupil_id"], ["users.id"], name=op.f("fk_changes_pupil_id_users")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_changes_school_id_schools")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_changes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_enrolments_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_enrolments_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolments_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_events_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_events_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=20), nullable=False),
        sa.Column("planned_room", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_lessons_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_lessons_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"], ["users.id"], name=op.f("fk_lessons_substitute_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_lessons_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
    )
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.create_index("ix_lessons_class_date", ["class_id", "date", "number"], unique=False)
        batch_op.create_index(
            "ix_lessons_class_subject_date", ["class_id", "subject_id", "date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lessons_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_messages_thread_id_message_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "period_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_period_marks_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_period_marks_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_period_marks_pupil_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_period_marks_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["year_id"], ["academic_years.id"], name=op.f("fk_period_marks_year_id_academic_years")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_marks")),
        sa.UniqueConstraint(
            "pupil_id", "subject_id", "year_id", "period_id", name=op.f("uq_period_marks_pupil_id")
        ),
    )
    with op.batch_alter_table("period_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_period_marks_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_sessions.id"],
            name=op.f("fk_refresh_tokens_session_id_auth_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "teaching_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_teaching_assignments_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_teaching_assignments_subject_id_subjects"),
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_teaching_assignments_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teaching_assignments")),
        sa.UniqueConstraint(
            "teacher_id", "class_id", "subject_id", name=op.f("uq_teaching_assignments_teacher_id")
        ),
    )
    with op.batch_alter_table("teaching_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teaching_assignments_class_id"), ["class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_teaching_assignments_teacher_id"), ["teacher_id"], unique=False
        )

    op.create_table(
        "thread_participants",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_thread_participants_thread_id_message_threads"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_thread_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_participants")),
    )
    with op.batch_alter_table("thread_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_thread_participants_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "timetable_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("room", sa.String(length=20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_timetable_slots_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_timetable_slots_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["users.id"], name=op.f("fk_timetable_slots_teacher_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timetable_slots")),
    )
    with op.batch_alter_table("timetable_slots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timetable_slots_class_id"), ["class_id"], unique=False)

    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_absences_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_absences_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_absences_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absences")),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index("ix_absences_lesson", ["lesson_id"], unique=False)
        batch_op.create_index("ix_absences_pupil_lesson", ["pupil_id", "lesson_id"], unique=False)

    op.create_table(
        "announcement_reads",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_reads_announcement_id_announcements"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_announcement_reads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("announcement_id", "user_id", name=op.f("pk_announcement_reads")),
    )
    op.create_table(
        "homework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_homework_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_homework_lesson_id_lessons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework")),
    )
    with op.batch_alter_table("homework", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_homework_lesson_id"), ["lesson_id"], unique=False)

    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_marks_author_id_users")),
        sa.ForeignKeyConstraint(
            ["lesson_id"], ["lessons.id"], name=op.f("fk_marks_lesson_id_lessons")
        ),
        sa.ForeignKeyConstraint(["pupil_id"], ["users.id"], name=op.f("fk_marks_pupil_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks")),
    )
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.create_index("ix_marks_lesson", ["lesson_id"], unique=False)
        batch_op.create_index("ix_marks_pupil_lesson", ["pupil_id", "lesson_id"], unique=False)

    op.create_table(
        "homework_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("homework_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["homework_id"],
            ["homework.id"],
            name=op.f("fk_homework_attachments_homework_id_homework"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_attachments")),
    )
    with op.batch_alter_table("homework_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_homework_attachments_homework_id"), ["homework_id"], unique=False
        )

    op.create_table(
        "homework_done",
        sa.Column("homework_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["homework_id"], ["homework.id"], name=op.f("fk_homework_done_homework_id_homework")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["users.id"], name=op.f("fk_homework_done_pupil_id_users")
        ),
        sa.PrimaryKeyConstraint("homework_id", "pupil_id", name=op.f("pk_homework_done")),
    )


def downgrade() -> None:

    op.drop_table("homework_done")
    with op.batch_alter_table("homework_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homework_attachments_homework_id"))

    op.drop_table("homework_attachments")
    with op.batch_alter_table("marks", schema=None) as batch_op:
        batch_op.drop_index("ix_marks_pupil_lesson")
        batch_op.drop_index("ix_marks_lesson")

    op.drop_table("marks")
    with op.batch_alter_table("homework", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_homework_lesson_id"))

    op.drop_table("homework")
    op.drop_table("announcement_reads")
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.drop_index("ix_absences_pupil_lesson")
        batch_op.drop_index("ix_absences_lesson")

    op.drop_table("absences")
    with op.batch_alter_table("timetable_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timetable_slots_class_id"))

    op.drop_table("timetable_slots")
    with op.batch_alter_table("thread_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thread_participants_user_id"))

    op.drop_table("thread_participants")
    with op.batch_alter_table("teaching_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teaching_assignments_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_teaching_assignments_class_id"))

    op.drop_table("teaching_assignments")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_session_id"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("period_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_marks_pupil_id"))

    op.drop_table("period_marks")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_thread_id"))

    op.drop_table("messages")
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lessons_teacher_id"))
        batch_op.drop_index("ix_lessons_class_subject_date")
        batch_op.drop_index("ix_lessons_class_date")

    op.drop_table("lessons")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_events_school_id"))
        batch_op.drop_index(batch_op.f("ix_events_class_id"))

    op.drop_table("events")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolments_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_enrolments_class_id"))

    op.drop_table("enrolments")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_user_id"))
        batch_op.drop_index(batch_op.f("ix_changes_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_changes_class_id"))

    op.drop_table("changes")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcements_school_id"))
        batch_op.drop_index(batch_op.f("ix_announcements_class_id"))

    op.drop_table("announcements")
    with op.batch_alter_table("week_acknowledgements", schema=None) as batch_op:
        batch_op.drop_index("ix_week_ack_pupil_week")

    op.drop_table("week_acknowledgements")
    with op.batch_alter_table("periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_periods_year_id"))

    op.drop_table("periods")
    with op.batch_alter_table("parent_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parent_links_pupil_id"))

    op.drop_table("parent_links")
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_threads_school_id"))

    op.drop_table("message_threads")
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invite_codes_pupil_id"))

    op.drop_table("invite_codes")
    op.drop_table("idempotency_records")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classes_year_id"))
        batch_op.drop_index(batch_op.f("ix_classes_school_id"))
        batch_op.drop_index(batch_op.f("ix_classes_homeroom_teacher_id"))

    op.drop_table("classes")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_user_id"))

    op.drop_table("auth_sessions")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_pupil_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))

    op.drop_table("audit_log")
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absence_notices_pupil_id"))

    op.drop_table("absence_notices")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_school_id"))
        batch_op.drop_index(batch_op.f("ix_users_role"))

    op.drop_table("users")
    with op.batch_alter_table("subjects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subjects_school_id"))

    op.drop_table("subjects")
    with op.batch_alter_table("holidays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holidays_school_id"))

    op.drop_table("holidays")
    with op.batch_alter_table("bells", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bells_school_id"))

    op.drop_table("bells")
    with op.batch_alter_table("academic_years", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_academic_years_school_id"))

    op.drop_table("academic_years")
    op.drop_table("server_settings")
    op.drop_table("schools")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_login_at")

    op.drop_table("login_attempts")
