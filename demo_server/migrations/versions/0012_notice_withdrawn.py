"""An absence notice can be withdrawn by a parent while the class teacher has not read it:
``withdrawn_at`` and ``withdrawn_by_id``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_absence_notices_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("absence_notices", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_absence_notices_withdrawn_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
