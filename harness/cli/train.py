"""``harness train RECIPE``: train a variant with a recipe, register it, optionally evaluate it.

Re-running the same command resumes an interrupted run from its last checkpoint, and
returns at once when this exact config already produced a registered variant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from harness.cli.args import name_list, positive_int
from harness.training.distributed import current_world
from harness.training.launch import launched_store

if TYPE_CHECKING:
    from harness.registry import Variant
    from harness.training.sweep import SweepResult


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], default_store: str
) -> None:
    """Register ``train`` on the main parser's subcommands; its choices are the recipe table."""
    from harness.recipes import recipe_names

    names = recipe_names()
    train = commands.add_parser(
        "train", help="train a variant with a recipe (recipes/RECIPE.yaml) and register it"
    )
    train.add_argument("recipe", choices=names, metavar="RECIPE", help=", ".join(names))
    train.add_argument("--config", default=None, metavar="FILE", help="recipe YAML to use instead")
    train.add_argument(
        "--profile", default=None, help="profile of the config (default: quick on CPU, full on GPU)"
    )
    train.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set lora.rank=16 (repeatable)",
    )
    train.add_argument(
        "--sweep",
        action="store_true",
        help="pretrain only: train the config's sweep sizes and fit loss vs compute",
    )
    train.add_argument(
        "--restart", action="store_true", help="discard this variant's checkpoints and start over"
    )
    train.add_argument(
        "--eval",
        type=name_list,
        default=None,
        metavar="SUITE,...",
        help="evaluate the new variant on these suites afterwards",
    )
    train.add_argument("--eval-tasks", type=name_list, default=None, help="tasks of those suites")
    train.add_argument("--eval-limit", type=positive_int, default=None, help="documents per task")
    train.add_argument(
        "--store",
        default=default_store,
        help="results store: SQLite file or postgresql+psycopg:// URL",
    )
    train.add_argument(
        "--processes",
        type=positive_int,
        default=None,
        metavar="N",
        help="train as N data-parallel processes under `accelerate launch` (one per GPU; "
        "CPU processes over gloo where there is no GPU)",
    )
    train.add_argument(
        "--accelerate-config",
        default=None,
        metavar="FILE|NAME",
        help="accelerate config for the launch: a file, or trl's multi-gpu, fsdp, zero1, "
        "zero2, zero3",
    )
    train.add_argument(
        "--cpu", action="store_true", help="with --processes: train on CPUs even where GPUs are"
    )


def run(args: argparse.Namespace) -> int:
    """Train (or sweep), print what was registered, then run the requested evaluations."""
    if args.eval and args.recipe == "reward-model":
        from harness.errors import HarnessError

        raise HarnessError(
            "a reward model scores responses and cannot run a suite; drop --eval "
            "(its held-out pairwise accuracy is printed after training)"
        )
    _check_eval_suites(args)  # a typo there should fail now, not after an hour of training
    if args.cpu and args.processes is None and args.accelerate_config is None:
        from harness.errors import HarnessError

        raise HarnessError("--cpu applies to --processes N; add it, or drop --cpu")
    world = current_world()
    args.store = launched_store(args.store)
    if not world.is_main:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (one report per launch, from rank 0)
    try:
        if args.processes is not None or args.accelerate_config is not None:
            code, variants = _launch(args)
            if code != 0:
                return code
        else:
            variants = _train(args)
    except KeyboardInterrupt:
        print(
            "harness: interrupted; run the same command again to resume from the last checkpoint",
            file=sys.stderr,
        )
        return 130
    if not world.is_main:
        return 0  # evaluation runs once, in the main process
    for suite in args.eval or []:
        for variant in variants:
            _evaluate(args, variant, suite)
    return 0


def _train(args: argparse.Namespace) -> list[Variant]:
    from harness.recipes import sweep_recipe, train_recipe

    if args.sweep:
        result = sweep_recipe(
            args.recipe,
            store=args.store,
            config_file=args.config,
            profile=args.profile,
            overrides=args.overrides,
            restart=args.restart,
        )
        print(format_sweep(result))
        variants = result.variants
    else:
        variant, trained = train_recipe(
            args.recipe,
            store=args.store,
            config_file=args.config,
            profile=args.profile,
            overrides=args.overrides,
            restart=args.restart,
        )
        if not trained:
            print("already trained with this config (use --restart to train again)")
        print(format_variant(variant))
        variants = [variant]
    return variants


def _launch(args: argparse.Namespace) -> tuple[int, list[Variant]]:
    """Run this same ``harness train`` under ``accelerate launch``; the variants it registered.

    The launched processes train and register (rank 0 prints the report); evaluation runs
    here afterwards, as one process.
    """
    from harness.recipes import check_processes, load_recipe_config, recipe_module
    from harness.registry import find_variant, variant_dir
    from harness.training.launch import launch_training

    processes = args.processes or 1
    check_processes(args.recipe, recipe_module(args.recipe), processes)
    config, _ = load_recipe_config(  # a bad --set fails here, before N processes start
        args.recipe, config_file=args.config, profile=args.profile, overrides=args.overrides
    )
    code = launch_training(
        _relaunched_args(args),
        store=str(args.store),
        processes=processes,
        accelerate_config=args.accelerate_config,
        cpu=args.cpu,
    )
    if code != 0 or not args.eval:
        return code, []
    if args.sweep:
        points = json.loads((variant_dir(f"{config.name}-sweep") / "scaling.json").read_text())
        names = [point["variant_id"] for point in points["points"]]
    else:
        names = [config.name]
    variants = [find_variant(args.store, name) for name in names]
    return code, [v for v in variants if v is not None]


def _relaunched_args(args: argparse.Namespace) -> list[str]:
    """This command's ``harness train`` arguments for the launched processes (no launch
    options, no evaluation: those stay with this process; the store goes by environment)."""
    relaunched = [args.recipe]
    if args.config:
        relaunched += ["--config", str(args.config)]
    if args.profile:
        relaunched += ["--profile", args.profile]
    for item in args.overrides:
        relaunched += ["--set", item]
    if args.sweep:
        relaunched.append("--sweep")
    if args.restart:
        relaunched.append("--restart")
    return relaunched


def format_variant(variant: Variant) -> str:
    """A few lines on what was registered: identity, lineage, size, training."""
    losses = ", ".join(f"{k} {v:.4f}" for k, v in variant.final_losses.items())
    share = variant.trainable_params / variant.total_params if variant.total_params else 0.0
    seconds = f"{variant.training_seconds:.0f} s" if variant.training_seconds is not None else "-"
    return "\n".join(
        [
            f"variant {variant.variant_id}  {variant.name}  ({variant.kind}, recipe {variant.recipe})",
            f"parent  {variant.parent_id or '-'}",
            f"params  {variant.total_params:,} total, {variant.trainable_params:,} trained"
            f" ({share:.2%})",
            f"trained {variant.details.get('steps', '?')} steps in {seconds}; {losses}",
            *_batch_line(variant.details.get("batch")),
            f"hashes  config {(variant.config_hash or '-')[:12]}  data {(variant.data_hash or '-')[:12]}"
            f"  weights {variant.weights_hash[:12]}",
            f"saved   {variant.path} ({variant.size_bytes / 1e6:.1f} MB)",
        ]
    )


def _batch_line(batch: dict[str, int] | None) -> list[str]:
    if not batch:
        return []
    return [
        f"batch   {batch['effective']} per step = {batch['per_device']} per device x "
        f"{batch['processes']} process(es) x {batch['grad_accum']} accumulation"
    ]


def format_sweep(result: SweepResult) -> str:
    """The sweep's points and the fitted power law, as a small table."""
    lines = [f"{'variant':<36} {'params':>10} {'tokens':>10} {'FLOPs':>10} {'eval loss':>9}"]
    for point in result.points:
        lines.append(
            f"{point.name:<36} {point.params:>10,} {point.tokens:>10,} {point.flops:>10.3g}"
            f" {point.loss:>9.4f}"
        )
    law = result.law
    lines.append(
        f"fit: eval_loss = {law.coefficient:.4g} * FLOPs^{law.exponent:.4f}"
        f"  (R² {law.r_squared:.3f}); stored in {result.path}"
    )
    return "\n".join(lines)


def _check_eval_suites(args: argparse.Namespace) -> None:
    from harness.errors import HarnessError
    from harness.tasks import load_suite

    if (args.eval_tasks or args.eval_limit) and not args.eval:
        raise HarnessError("--eval-tasks and --eval-limit need --eval SUITE; add it or drop them")
    for suite in args.eval or []:
        load_suite(suite).select(args.eval_tasks)


def _evaluate(args: argparse.Namespace, variant: Variant, suite: str) -> None:
    from harness.registry import load_variant
    from harness.report.run_tables import format_scores
    from harness.runner import EvalOptions, run_eval
    from harness.store import open_store

    options = EvalOptions(
        model=variant.variant_id,
        suite=suite,
        tasks=args.eval_tasks,
        limit=args.eval_limit,
        store=args.store,
    )
    loaded = load_variant(args.store, variant.variant_id)
    report = run_eval(options, model=loaded, log=lambda line: print(line, file=sys.stderr))
    with open_store(report.store_location) as store:
        print(format_scores(store.get_scores(report.run_id)))
    print(f"\nrun {report.run_id} ({variant.name} on {suite}) stored in {report.store_location}")
