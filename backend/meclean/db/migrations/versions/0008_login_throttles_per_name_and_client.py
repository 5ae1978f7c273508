"""login throttles per name and client, and one-time passwords

Failed logins are counted whether or not the name exists, per client address, in their own
table. Generated passwords must be changed at first sign-in; accounts that exist keep
the passwords they have.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        op.f("ix_login_throttles_next_attempt_at"), "login_throttles", ["next_attempt_at"]
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("next_login_after")
        batch_op.drop_column("failed_logins")
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_login_after", sa.DateTime(timezone=True)))
    op.drop_index(op.f("ix_login_throttles_next_attempt_at"), table_name="login_throttles")
    op.drop_table("login_throttles")
