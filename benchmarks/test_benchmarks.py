"""MMLU and DialogSum as benchmark tests (run with ``pytest benchmarks/ -p harness``).

Each test evaluates ``--harness-model`` into the store and gates it against
``--harness-baseline`` (by default the same model's previous run on the same items,
evaluated on the first run). Margins are the largest drop we accept; ``--harness-margin``
overrides them from the command line.
"""

from __future__ import annotations

MMLU_MARGINS = {"mmlu.acc": 0.02, "mmlu.acc_norm": 0.02}
DIALOGSUM_MARGINS = {"rouge1": 0.02, "rouge2": 0.02, "rougeL": 0.02, "rougeLsum": 0.02}


def test_mmlu_does_not_regress(harness_eval, assert_no_regression) -> None:  # type: ignore[no-untyped-def]
    run = harness_eval("mmlu", shots=0)
    assert run.score("mmlu", "acc") >= 0.0
    assert_no_regression(run, margins=MMLU_MARGINS)


def test_dialogsum_does_not_regress(harness_eval, assert_no_regression) -> None:  # type: ignore[no-untyped-def]
    run = harness_eval("dialogsum", tasks=["dialogsum_0shot"])
    assert_no_regression(run, margins=DIALOGSUM_MARGINS)
