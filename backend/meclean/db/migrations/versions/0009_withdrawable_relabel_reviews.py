"""relabel reviews that can be withdrawn, and the label each one replaced

A review with no decision (accepted NULL) withdraws the one before it: the proposal is
pending again. An accepted review records the label it replaced, so undoing it restores
that label.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relabel_reviews", schema=None) as batch_op:
        batch_op.alter_column("accepted", existing_type=sa.Boolean(), nullable=True)
        batch_op.add_column(sa.Column("replaced_label", sa.String(length=20), nullable=True))


def downgrade() -> None:
    # Withdrawals have no place in the older schema: they go, the decisions before stay.
    op.execute("DELETE FROM relabel_reviews WHERE accepted IS NULL")
    with op.batch_alter_table("relabel_reviews", schema=None) as batch_op:
        batch_op.drop_column("replaced_label")
        batch_op.alter_column("accepted", existing_type=sa.Boolean(), nullable=False)
