"""run parts and relabel provenance

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 01:45:36.875752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("folds", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("device", sa.String(length=50), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("loss", sa.Double(), nullable=True),
        sa.Column("uf1", sa.Double(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_parts_run_id"), ["run_id"], unique=False)

    with op.batch_alter_table("label_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_run_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_label_versions_run", "runs", ["source_run_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("run_sample_results", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("label_issue", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("traceback", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("traceback")

    with op.batch_alter_table("run_sample_results", schema=None) as batch_op:
        batch_op.drop_column("label_issue")

    with op.batch_alter_table("label_versions", schema=None) as batch_op:
        batch_op.drop_constraint("fk_label_versions_run", type_="foreignkey")
        batch_op.drop_column("source_run_id")

    with op.batch_alter_table("run_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_parts_run_id"))

    op.drop_table("run_parts")
