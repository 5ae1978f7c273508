"""timing versions per sample

Experts correct a sample's onset, apex or offset; each change is a version with its
author, time, reason and parent (the imported timing is version 0, the sample's own
columns, which always hold the current one).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timing_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("onset", sa.Integer(), nullable=False),
        sa.Column("apex", sa.Integer(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sample_id", "parent_id", name="uq_timing_one_successor"),
    )
    op.create_index("ix_timing_versions_sample_id", "timing_versions", ["sample_id"])


def downgrade() -> None:
    op.drop_index("ix_timing_versions_sample_id", table_name="timing_versions")
    op.drop_table("timing_versions")
