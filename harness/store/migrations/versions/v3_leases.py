"""Schema version 3: who holds a running run (lease columns) and every attempt at a run."""

import sqlalchemy as sa
from alembic import op

revision = "v3"
down_revision = "v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("lease_token", sa.Text))
    op.add_column("runs", sa.Column("lease_host", sa.Text))
    op.add_column("runs", sa.Column("lease_pid", sa.BigInteger))
    op.add_column("runs", sa.Column("heartbeat_at", sa.Text))
    op.create_table(
        "run_attempts",
        sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id", ondelete="CASCADE")),
        sa.Column("attempt", sa.Integer),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("pid", sa.BigInteger, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("wall_time_s", sa.Double),
        sa.Column("tokens_processed", sa.BigInteger),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("run_id", "attempt"),
        sa.CheckConstraint("status IN ('running', 'complete', 'failed')", name="attempts_status"),
    )
    # A run from before attempts were recorded counts as its own first attempt, so a resume
    # adds to its figures instead of replacing them.
    op.execute(
        "INSERT INTO run_attempts (run_id, attempt, started_at, host, pid, status,"
        " wall_time_s, tokens_processed, error)"
        " SELECT run_id, 1, created_at, '', 0, status, wall_time_s, tokens_processed, error"
        " FROM runs"
    )
    op.execute("UPDATE schema_version SET version = 3")
