"""Announcements gain an audience (school, class, grade, parents, teachers) and the grade a
parallel's announcement is for. Existing ones keep whom they reached: a class's stays the
class's, the others the whole school's.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(
            sa.Column("audience", sa.String(16), nullable=False, server_default="school")
        )
        batch.add_column(sa.Column("grade", sa.Integer(), nullable=True))
    op.execute("UPDATE announcements SET audience = 'class' WHERE class_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("announcements") as batch:
        batch.drop_column("grade")
        batch.drop_column("audience")
