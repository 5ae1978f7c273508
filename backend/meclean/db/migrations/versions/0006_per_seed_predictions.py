"""per-seed predictions: what a comparison of two runs resamples

Runs stored before this keep None and are not compared; they can be run again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("run_sample_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed_predictions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_sample_results", schema=None) as batch_op:
        batch_op.drop_column("seed_predictions")
