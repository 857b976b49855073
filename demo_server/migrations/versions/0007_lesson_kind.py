"""A lesson has a kind (an ordinary lesson, a test, a quiz ...) and the weight of the marks
given at it: a test lesson makes its marks test marks with the test's weight.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="lesson")
        )
        batch_op.add_column(sa.Column("weight", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("lessons", schema=None) as batch_op:
        batch_op.drop_column("weight")
        batch_op.drop_column("kind")
