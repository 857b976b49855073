"""A change may be for one kind of reader only: an announcement to the parents (of the school
or of a class) reaches parents, one to the teachers reaches the teachers and the
administration, so the feed can carry its title. Existing rows stay for everyone they reached.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("audience", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("audience")
