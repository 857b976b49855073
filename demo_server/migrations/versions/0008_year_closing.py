"""A closed academic year: ``academic_years.closed_at`` and ``closed_by_id``. After its year is
closed (``diary admin year close``) nothing of it can be changed except by the administration
with a reason.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("academic_years") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_academic_years_closed_by_id_users"), "users", ["closed_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("academic_years") as batch:
        batch.drop_constraint(batch.f("fk_academic_years_closed_by_id_users"), type_="foreignkey")
        batch.drop_column("closed_by_id")
        batch.drop_column("closed_at")
