"""label changes, open label versions, marks that name the label they judged

Each label decision is a row (sample, before, after, reason, author, run); a curator's
decisions within one sitting join one open label version; every mark records the label
it judged and, with a noisy verdict, the class the expert says it should be.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("marks") as marks:
        marks.add_column(sa.Column("judged_label", sa.String(length=20), nullable=True))
        marks.add_column(sa.Column("should_be", sa.String(length=20), nullable=True))
    with op.batch_alter_table("label_versions") as versions:
        versions.add_column(sa.Column("open_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "label_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.String(length=20), nullable=False),
        sa.Column("after", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["label_versions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], ondelete="SET NULL", name="fk_label_changes_run"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_label_changes_version_id", "label_changes", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_label_changes_version_id", table_name="label_changes")
    op.drop_table("label_changes")
    with op.batch_alter_table("label_versions") as versions:
        versions.drop_column("open_until")
    with op.batch_alter_table("marks") as marks:
        marks.drop_column("should_be")
        marks.drop_column("judged_label")
