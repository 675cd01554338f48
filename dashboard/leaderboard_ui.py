"""Streamlit plumbing shared by the pages: which store, cached reads, empty states.

Named ``leaderboard_ui`` (not ``ui``) because Streamlit puts this folder on ``sys.path``
and a generic name could shadow an installed package.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import streamlit as st

from harness.errors import HarnessError
from harness.leaderboard import Snapshot, load_snapshot
from harness.leaderboard.variants import format_parameters
from harness.paths import DEFAULT_MODEL, DEFAULT_STORE
from harness.store import RunRecord, SampleRecord, open_store, store_path

STORE_ENV = "HARNESS_STORE"
FILL_COMMAND = f"harness eval --model {DEFAULT_MODEL} --suite mmlu --limit 2"


def default_store() -> str:
    """``--store`` after ``--`` on the streamlit command line, else $HARNESS_STORE, else default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", default=None)
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.store or os.environ.get(STORE_ENV) or DEFAULT_STORE


def store_sidebar() -> None:
    """The store path box in the sidebar; its value is shared by every page."""
    st.sidebar.text_input("Results store", value=default_store(), key="store_path")
    st.sidebar.caption("SQLite file written by `harness eval`")


def current_store() -> Path:
    return store_path(st.session_state.get("store_path") or default_store())


def _stamp(path: Path) -> tuple[float, float]:
    """Modification times of the database and its WAL: a new run changes one of them."""
    wal = path.with_name(path.name + "-wal")
    return (path.stat().st_mtime, wal.stat().st_mtime if wal.exists() else 0.0)


@st.cache_data(show_spinner=False)
def _load(path: str, stamp: tuple[float, float]) -> Snapshot:
    with open_store(path, read_only=True) as store:
        return load_snapshot(store)


@st.cache_data(show_spinner=False)
def _samples(path: str, stamp: tuple[float, float], run_id: str) -> list[SampleRecord]:
    with open_store(path, read_only=True) as store:
        return store.get_samples(run_id)


def empty_state(path: Path, what: str = "runs") -> None:
    """The friendly page for a store with nothing to show: what to run to fill it."""
    st.info(
        f"No {what} in `{path}` yet. Fill the store with an evaluation, for example:\n\n"
        f"```\n{FILL_COMMAND} --store {path}\n```\n\n"
        "then reload this page (or point the sidebar at another store)."
    )


def require_snapshot() -> Snapshot:
    """The store's snapshot, or the empty-state page and a stop when there is nothing yet."""
    path = current_store()
    if not path.is_file():  # reading must never create an empty store
        empty_state(path)
        st.stop()
    try:
        snapshot = _load(str(path), _stamp(path))
    except HarnessError as exc:  # not a store of ours, damaged, or another version: say so
        st.error(str(exc))
        st.stop()
    if snapshot.is_empty:
        empty_state(path)
        st.stop()
    return snapshot


def samples(run_id: str) -> list[SampleRecord]:
    """A run's samples, cached until the store changes."""
    path = current_store()
    return _samples(str(path), _stamp(path), run_id)


def run_label(snapshot: Snapshot, run: RunRecord) -> str:
    """How a run is named in pickers: id, model, suite, date, status."""
    model = snapshot.models.get(run.model_hash)
    name = model.name if model else run.model_spec
    size = f" ({format_parameters(model.n_parameters)})" if model else ""
    status = "" if run.status == "complete" else f" [{run.status}]"
    return (
        f"{run.run_id[:8]} · {name}{size} · {run.suite} · {run.created_at:%Y-%m-%d %H:%M}{status}"
    )
