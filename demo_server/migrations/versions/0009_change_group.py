"""A change about a group's lesson names the group: ``changes.group_id``. The feed gives such a
change to the group's pupils and their parents only, not to the whole class.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 20:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_changes_group_id_class_groups"), "class_groups", ["group_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_constraint(batch.f("fk_changes_group_id_class_groups"), type_="foreignkey")
        batch.drop_column("group_id")
