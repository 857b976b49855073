"""An absence notice remembers who read it (``seen_by_id``), beside when (``seen_at``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_absence_notices_seen_by_id_users"), "users", ["seen_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_absence_notices_seen_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("seen_by_id")
