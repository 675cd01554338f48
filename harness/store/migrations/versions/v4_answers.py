"""Schema version 4: a served model's kept answers, and the first version Alembic manages.

A served model's answer to one request is kept as soon as it arrives, so a killed run resumes
without paying for a finished request twice; keyed by the model's identity (endpoint model id +
answer fingerprint) and the request's content hash. Some version-3 stores already have the
table (it was created before this revision existed), hence ``if_not_exists``.
"""

import sqlalchemy as sa
from alembic import op

revision = "v4"
down_revision = "v3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("model_hash", sa.Text),
        sa.Column("request_hash", sa.Text),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("model_hash", "request_hash"),
        if_not_exists=True,
    )
    op.execute("UPDATE schema_version SET version = 4")
