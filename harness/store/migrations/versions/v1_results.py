"""Schema version 1: models, runs, task results, scores, samples and gate decisions.

Portable types chosen for PostgreSQL too: scores and times are ``Double`` (PostgreSQL's
``REAL`` has 4 bytes), counts that outgrow 2**31 (parameters, tokens) are ``BigInteger``, and
surrogate keys are identity columns (SQLite's ``INTEGER PRIMARY KEY`` alone auto-increments only
there). Dates are ISO-8601 text, as the records encode them.
"""

import sqlalchemy as sa
from alembic import op

revision = "v1"
down_revision = None
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ('running', 'complete', 'failed')"


def upgrade() -> None:
    op.create_table("schema_version", sa.Column("version", sa.Integer, nullable=False))
    op.create_table(
        "models",
        sa.Column("model_hash", sa.Text, primary_key=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("n_parameters", sa.BigInteger, nullable=False),
        sa.Column("dtype", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("suite", sa.Text, nullable=False),
        sa.Column("suite_hash", sa.Text, nullable=False),
        sa.Column("model_spec", sa.Text, nullable=False),
        sa.Column("model_hash", sa.Text, sa.ForeignKey("models.model_hash"), nullable=False),
        sa.Column("harness_version", sa.Text, nullable=False),
        sa.Column("git_commit", sa.Text),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("dtype", sa.Text, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("wall_time_s", sa.Double),
        sa.Column("tokens_processed", sa.BigInteger),
        sa.Column("error", sa.Text),
        sa.CheckConstraint(STATUS_CHECK, name="runs_status"),
    )
    op.create_index("runs_created_at", "runs", ["created_at"])
    op.create_index("runs_model_hash", "runs", ["model_hash"])
    op.create_table(
        "task_results",
        sa.Column("run_id", sa.Text, sa.ForeignKey("runs.run_id", ondelete="CASCADE")),
        sa.Column("task", sa.Text),
        sa.Column("task_hash", sa.Text, nullable=False),
        sa.Column("data_hash", sa.Text, nullable=False),
        sa.Column("num_fewshot", sa.Integer, nullable=False),
        sa.Column("fewshot_seed", sa.BigInteger),
        sa.Column("n_items", sa.Integer, nullable=False),
        sa.Column("wall_time_s", sa.Double, nullable=False),
        sa.Column("tokens_processed", sa.BigInteger, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "task"),
    )
    # ``value`` may be NULL: a NaN metric is stored as NULL and is still a result.
    op.create_table(
        "scores",
        sa.Column("score_id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column(
            "run_id", sa.Text, sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("value", sa.Double),
        sa.Column("stderr", sa.Double),
        sa.Column("ci_low", sa.Double),
        sa.Column("ci_high", sa.Double),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("higher_is_better", sa.Integer, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.CheckConstraint("scope IN ('task', 'aggregate')", name="scores_scope"),
        sa.UniqueConstraint("run_id", "scope", "name", "metric", name="scores_one_per_metric"),
    )
    op.create_table(
        "samples",
        sa.Column("run_id", sa.Text),
        sa.Column("task", sa.Text),
        sa.Column("doc_id", sa.BigInteger),
        sa.Column("doc_hash", sa.Text, nullable=False),
        sa.Column("prompt_hash", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("prediction", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "task", "doc_id"),
        sa.ForeignKeyConstraint(
            ["run_id", "task"],
            ["task_results.run_id", "task_results.task"],
            ondelete="CASCADE",
        ),
    )
    op.create_index("samples_doc_hash", "samples", ["doc_hash"])
    # One row per gate or compare decision: the verdict and the table it rests on.
    op.create_table(
        "gate_decisions",
        sa.Column("decision_id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column(
            "baseline_run_id",
            sa.Text,
            sa.ForeignKey("runs.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "candidate_run_id",
            sa.Text,
            sa.ForeignKey("runs.run_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("suite", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=False),
        sa.Column("margins", sa.Text, nullable=False),
        sa.Column("comparison", sa.Text, nullable=False),
        sa.CheckConstraint(
            "verdict IN ('pass', 'regress', 'inconclusive')", name="gate_decisions_verdict"
        ),
    )
    op.create_index("gate_decisions_candidate", "gate_decisions", ["candidate_run_id"])
    op.execute("INSERT INTO schema_version (version) VALUES (1)")
