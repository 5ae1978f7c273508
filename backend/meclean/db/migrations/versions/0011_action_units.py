"""action units per sample

The AUs each sample's sheet coded (number, side, intensity, mark; alternatives
where a cell offers several codings) and the cell as written, with the objective class
where the sheet gives one. Samples stored before have none: re-import to read them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("samples", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_units", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("objective_class", sa.String(length=20), nullable=True))
    op.create_table(
        "sample_action_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("alternative", sa.SmallInteger(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("side", sa.String(length=3), nullable=True),
        sa.Column("intensity", sa.String(length=3), nullable=True),
        sa.Column("mark", sa.String(length=5), nullable=True),
        sa.ForeignKeyConstraint(["sample_id"], ["samples.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sample_action_units_sample_id", "sample_action_units", ["sample_id"])
    op.create_index("ix_sample_action_units_number", "sample_action_units", ["number"])


def downgrade() -> None:
    op.drop_index("ix_sample_action_units_number", table_name="sample_action_units")
    op.drop_index("ix_sample_action_units_sample_id", table_name="sample_action_units")
    op.drop_table("sample_action_units")
    with op.batch_alter_table("samples", schema=None) as batch_op:
        batch_op.drop_column("objective_class")
        batch_op.drop_column("action_units")
