"""Parent meetings: an event gains its agenda, who created it, cancellation, minutes and a
version; parents' answers (coming or not, with a comment) get their own table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("minutes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_foreign_key(
            batch_op.f("fk_events_author_id_users"), "users", ["author_id"], ["id"]
        )
    op.create_table(
        "meeting_answers",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("coming", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(length=300), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_meeting_answers_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_meeting_answers_parent_id_users")
        ),
        sa.PrimaryKeyConstraint("event_id", "parent_id", name=op.f("pk_meeting_answers")),
    )


def downgrade() -> None:
    op.drop_table("meeting_answers")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_events_author_id_users"), type_="foreignkey")
        batch_op.drop_column("version")
        batch_op.drop_column("minutes")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("author_id")
        batch_op.drop_column("agenda")
