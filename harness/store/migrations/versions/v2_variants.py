"""Schema version 2: the variant registry, every model the lab produced with its parent."""

import sqlalchemy as sa
from alembic import op

revision = "v2"
down_revision = "v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "variants",
        sa.Column("variant_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("parent_id", sa.Text, sa.ForeignKey("variants.variant_id")),
        sa.Column("spec", sa.Text),
        sa.Column("path", sa.Text),
        sa.Column("recipe", sa.Text),
        sa.Column("config_hash", sa.Text),
        sa.Column("data_hash", sa.Text),
        sa.Column("weights_hash", sa.Text, nullable=False),
        sa.Column("total_params", sa.BigInteger, nullable=False),
        sa.Column("trainable_params", sa.BigInteger, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("training_seconds", sa.Double),
        sa.Column("final_losses", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("variants_parent", "variants", ["parent_id"])
    op.create_index("variants_weights_hash", "variants", ["weights_hash"])
    op.execute("UPDATE schema_version SET version = 2")
