"""The results store: every printed number traced back to weights, data, prompts and code.

Use :func:`open_store` to get a :class:`Store`; the records are the only things that go in
or come out.
"""

from harness.store.ids import new_run_id
from harness.store.location import (
    DEFAULT_STORE_PATH,
    check_store_file,
    existing_store_path,
    open_store,
    store_path,
)
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
    MultipleChoiceOutputs,
    OutputKind,
    ProgramRun,
    RollingOutputs,
    SampleOutputs,
)
from harness.store.sql import SCHEMA_VERSION
from harness.store.sqlite import Store

__all__ = [
    "DEFAULT_STORE_PATH",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "SCORE_SCOPES",
    "AgentStep",
    "GateDecisionRecord",
    "GeneratedRepeat",
    "GenerationOutputs",
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
    "TaskResultRecord",
    "VariantRecord",
    "check_store_file",
    "existing_store_path",
    "new_run_id",
    "open_store",
    "store_path",
]
