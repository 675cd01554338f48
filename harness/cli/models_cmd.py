"""``harness models build toxicity``: train (or find cached) the models the harness itself uses.

Plain ``harness models`` still lists the model names ``--model`` accepts (in main.py); this
module only adds the ``build`` subcommand.
"""

from __future__ import annotations

import argparse

BUILDABLE = ("toxicity",)


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``models`` (listing) with its ``build`` subcommand."""
    models = commands.add_parser(
        "models", help="list model names usable with --model; `models build toxicity` trains ours"
    )
    actions = models.add_subparsers(dest="models_command", metavar="ACTION")
    build = actions.add_parser(
        "build", help="train and cache a model the harness uses (the toxicity classifier)"
    )
    build.add_argument("what", choices=BUILDABLE, help="which model to build")
    build.add_argument("--force", action="store_true", help="retrain even when cached")
    build.add_argument(
        "--data-dir",
        default=None,
        help="data root (default: $HARNESS_DATA_DIR, then ../shared/data)",
    )
    build.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    """Build what was asked and print its held-out metrics."""
    from pathlib import Path

    from harness.errors import HarnessError
    from harness.toxicity import build_classifier

    if args.data_dir is not None and not Path(args.data_dir).expanduser().is_dir():
        raise HarnessError(f"--data-dir {args.data_dir} is not a folder; pass the data root")

    result = build_classifier(
        data_dir=args.data_dir, force=args.force, progress=not args.no_progress
    )
    info = result.info
    state = "trained" if result.trained else "cached (no retraining; --force retrains)"
    print(f"toxicity classifier {info.hash[:16]}: {state}")
    print(f"  folder   {result.folder}")
    print(f"  encoder  {info.encoder} sha256 {info.encoder_hash[:12]}, mean pooling + linear head")
    print(f"  data     sha256 {info.data_hash[:12]} (davidson_hate_offensive + toxigen seeds)")
    print(
        f"  train    {info.n_train} examples {_counts(info.train_label_counts)}, "
        f"{info.train_seconds:.0f} s, final loss {info.final_loss:.3f}"
    )
    print(f"  held out {info.n_heldout} examples {_counts(info.heldout_label_counts)}")
    m = info.metrics
    print(
        f"  toxic vs non-toxic (score >= 0.5): precision {m['precision']:.3f}  "
        f"recall {m['recall']:.3f}  F1 {m['f1']:.3f}  ROC-AUC {m['roc_auc']:.3f}  "
        f"accuracy {m['accuracy']:.3f}"
    )
    print(
        f"  3-way (hate/offensive/neither): accuracy {m['accuracy_3way']:.3f}  "
        f"macro F1 {m['f1_macro_3way']:.3f}"
    )
    if "toxigen_f1" in m:
        print(
            f"  ToxiGen seed sentences only ({m['toxigen_n']:.0f} held out): "
            f"precision {m['toxigen_precision']:.3f}  recall {m['toxigen_recall']:.3f}  "
            f"F1 {m['toxigen_f1']:.3f}  ROC-AUC {m['toxigen_roc_auc']:.3f}"
        )
    return 0


def _counts(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{name} {n}" for name, n in counts.items()) + ")"
