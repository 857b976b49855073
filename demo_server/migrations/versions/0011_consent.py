"""Consent to the processing of personal data: ``consent_texts`` (each version of a school's
text) and ``consent_records`` (each parent's consents and withdrawals, append-only). Every
school gets version 1 of the standard text in its language.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:00:00.000000
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    texts = op.create_table(
        "consent_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_consent_texts_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_consent_texts_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_texts")),
        sa.UniqueConstraint("school_id", "version", name=op.f("uq_consent_texts_school_id")),
    )
    op.create_index(op.f("ix_consent_texts_school_id"), "consent_texts", ["school_id"])
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("way", sa.String(length=20), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_consent_records_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["users.id"], name=op.f("fk_consent_records_parent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["text_id"], ["consent_texts.id"], name=op.f("fk_consent_records_text_id_consent_texts")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_consent_records_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(op.f("ix_consent_records_school_id"), "consent_records", ["school_id"])
    op.create_index(op.f("ix_consent_records_parent_id"), "consent_records", ["parent_id"])
    from demo_server.consent import STANDARD_TEXT

    schools = sa.table("schools", sa.column("id", sa.Integer), sa.column("language", sa.String))
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "school_id": school_id,
            "version": 1,
            "text": STANDARD_TEXT.get(language, STANDARD_TEXT["ru"]),
            "created_at": now,
        }
        for school_id, language in op.get_bind().execute(
            sa.select(schools.c.id, schools.c.language)
        )
    ]
    if rows:
        op.bulk_insert(texts, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_consent_records_parent_id"), table_name="consent_records")
    op.drop_index(op.f("ix_consent_records_school_id"), table_name="consent_records")
    op.drop_table("consent_records")
    op.drop_index(op.f("ix_consent_texts_school_id"), table_name="consent_texts")
    op.drop_table("consent_texts")
