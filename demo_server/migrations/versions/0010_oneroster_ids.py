"""What each OneRoster ``sourcedId`` became here (``oneroster_ids``): a OneRoster set imported
again finds the same years, subjects, classes, groups and accounts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oneroster_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sourced_id", sa.String(length=255), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_oneroster_ids_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oneroster_ids")),
        sa.UniqueConstraint(
            "school_id", "kind", "sourced_id", name=op.f("uq_oneroster_ids_school_id")
        ),
    )
    op.create_index(op.f("ix_oneroster_ids_school_id"), "oneroster_ids", ["school_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oneroster_ids_school_id"), table_name="oneroster_ids")
    op.drop_table("oneroster_ids")
