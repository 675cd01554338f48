"""The results store: every printed number traced back to weights, data, prompts and code.

Use :func:`open_store` to get a :class:`Store` (an SQLite file or a PostgreSQL database);
the records are the only things that go in or come out.
"""

from harness.store.access import Location, check_store, existing_store, open_store, store_exists
from harness.store.database import LeaseLost, Store
from harness.store.ids import new_run_id
from harness.store.location import DEFAULT_STORE_PATH, StoreLocation, store_location
from harness.store.records import (
    RUN_STATUSES,
    SCORE_SCOPES,
    GateDecisionRecord,
    ModelRecord,
    RunAttempt,
    RunLease,
    RunRecord,
    RunStatus,
    SampleRecord,
    ScoreRecord,
    ScoreScope,
    TaskResultRecord,
    VariantRecord,
)
from harness.store.sample_outputs import (
    AgentStep,
    GeneratedRepeat,
    GenerationOutputs,
    JudgeRecord,
    MultipleChoiceOutputs,
    OutputKind,
    ProgramRun,
    RollingOutputs,
    SampleOutputs,
)
from harness.store.sql import SCHEMA_VERSION

__all__ = [
    "DEFAULT_STORE_PATH",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "SCORE_SCOPES",
    "AgentStep",
    "GateDecisionRecord",
    "GeneratedRepeat",
    "GenerationOutputs",
    "JudgeRecord",
    "LeaseLost",
    "Location",
    "ModelRecord",
    "MultipleChoiceOutputs",
    "OutputKind",
    "ProgramRun",
    "RollingOutputs",
    "RunAttempt",
    "RunLease",
    "RunRecord",
    "RunStatus",
    "SampleOutputs",
    "SampleRecord",
    "ScoreRecord",
    "ScoreScope",
    "Store",
    "StoreLocation",
    "TaskResultRecord",
    "VariantRecord",
    "check_store",
    "existing_store",
    "new_run_id",
    "open_store",
    "store_exists",
    "store_location",
]
