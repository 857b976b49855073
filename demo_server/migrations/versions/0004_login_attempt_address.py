"""A login attempt keeps the client address it came from: failures are counted per login and
address, and per address, so that nobody can lock another person's login by failing it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch_op.drop_index("ix_login_attempts_login_at")
        batch_op.create_index(
            "ix_login_attempts_login_address_at", ["login", "address", "at"], unique=False
        )
        batch_op.create_index("ix_login_attempts_address_at", ["address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_address_at")
        batch_op.drop_index("ix_login_attempts_login_address_at")
        batch_op.create_index("ix_login_attempts_login_at", ["login", "at"], unique=False)
        batch_op.drop_column("address")
