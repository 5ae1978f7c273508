"""flow on one working size: forget the feature keys computed at each release's own size

Features are now computed on frames brought to 170x140. A stored key names flow at the
release's native size; keeping it would mix both within a dataset. Without a key, the
flow is computed anew (the class means queue a features job; a run computes what it lacks).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE samples SET feature_key = NULL")


def downgrade() -> None:
    # The keys are derived from the frames and settings, and computed again when wanted.
    pass
