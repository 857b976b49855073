"""Teacher blogs: ``blog_posts`` (a teacher's post to a class or the whole school) and
``blog_comments`` (comments on them). Neither is ever deleted: a hidden post or comment keeps
its row, with who hid it and when.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blog_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comments_closed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_blog_posts_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_blog_posts_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_blog_posts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"], ["users.id"], name=op.f("fk_blog_posts_hidden_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_posts")),
    )
    op.create_index(op.f("ix_blog_posts_school_id"), "blog_posts", ["school_id"])
    op.create_index(op.f("ix_blog_posts_class_id"), "blog_posts", ["class_id"])
    op.create_index(op.f("ix_blog_posts_author_id"), "blog_posts", ["author_id"])
    op.create_table(
        "blog_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["blog_posts.id"], name=op.f("fk_blog_comments_post_id_blog_posts")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_blog_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"], ["users.id"], name=op.f("fk_blog_comments_hidden_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_comments")),
    )
    op.create_index(op.f("ix_blog_comments_post_id"), "blog_comments", ["post_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_blog_comments_post_id"), table_name="blog_comments")
    op.drop_table("blog_comments")
    op.drop_index(op.f("ix_blog_posts_author_id"), table_name="blog_posts")
    op.drop_index(op.f("ix_blog_posts_class_id"), table_name="blog_posts")
    op.drop_index(op.f("ix_blog_posts_school_id"), table_name="blog_posts")
    op.drop_table("blog_posts")
