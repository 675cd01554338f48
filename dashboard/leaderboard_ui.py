"""Streamlit plumbing shared by the pages: which store, cached reads, empty states.

Named ``leaderboard_ui`` (not ``ui``) because Streamlit puts this folder on ``sys.path``
and a generic name could shadow an installed package.
"""

from __future__ import annotations

import argparse
import sys

import streamlit as st

from harness.errors import HarnessError
from harness.leaderboard import Snapshot, load_snapshot
from harness.leaderboard.variants import format_parameters
from harness.paths import DEFAULT_MODEL
from harness.paths import default_store as store_from_environment
from harness.registry import Variant, list_variants
from harness.store import (
    RunRecord,
    SampleRecord,
    StoreLocation,
    open_store,
    store_exists,
    store_location,
)

FILL_COMMAND = f"harness eval --model {DEFAULT_MODEL} --suite mmlu --limit 2"


def default_store() -> str:
    """``--store`` after ``--`` on the streamlit command line, else $HARNESS_STORE, else default."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", default=None)
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.store or store_from_environment()


def store_sidebar() -> None:
    """The store box in the sidebar; its value is shared by every page.

    It shows the store with any password replaced by ``***``; left as shown, it means the
    store the dashboard was started with, password included.
    """
    st.sidebar.text_input("Results store", value=str(_started_with()), key="store_path")
    st.sidebar.caption("SQLite file or PostgreSQL URL written by `harness eval`")


def _started_with() -> StoreLocation:
    return store_location(default_store())


def current_store() -> StoreLocation:
    typed = st.session_state.get("store_path")
    started = _started_with()
    if not typed or typed == str(started):
        return started
    return store_location(typed)


def _stamp(location: StoreLocation) -> tuple[int, ...]:
    """Row counts and the newest heartbeat: a new run, task, decision or variant changes it."""
    with open_store(location, read_only=True) as store:
        return store.change_stamp()


# Cached by the location's redacted text (``key``): the password never becomes a cache key.
@st.cache_data(show_spinner=False, hash_funcs={StoreLocation: lambda location: location.key})
def _load(location: StoreLocation, stamp: tuple[int, ...]) -> Snapshot:
    with open_store(location, read_only=True) as store:
        return load_snapshot(store)


@st.cache_data(show_spinner=False, hash_funcs={StoreLocation: lambda location: location.key})
def _samples(location: StoreLocation, stamp: tuple[int, ...], run_id: str) -> list[SampleRecord]:
    with open_store(location, read_only=True) as store:
        return store.get_samples(run_id)


def empty_state(path: StoreLocation, what: str = "runs") -> None:
    """The friendly page for a store with nothing to show: what to run to fill it."""
    st.info(
        f"No {what} in `{path}` yet. Fill the store with an evaluation, for example:\n\n"
        f"```\n{FILL_COMMAND} --store {path}\n```\n\n"
        "then reload this page (or point the sidebar at another store)."
    )


def require_snapshot() -> Snapshot:
    """The store's snapshot, or the empty-state page and a stop when there is nothing yet."""
    path = current_store()
    if not store_exists(path):  # reading must never create an empty store
        empty_state(path)
        st.stop()
    try:
        snapshot = _load(path, _stamp(path))
    except HarnessError as exc:  # not a store of ours, damaged, or another version: say so
        st.error(str(exc))
        st.stop()
    if snapshot.is_empty:
        empty_state(path)
        st.stop()
    return snapshot


@st.cache_data(show_spinner=False, hash_funcs={StoreLocation: lambda location: location.key})
def _variants(location: StoreLocation, stamp: tuple[int, ...]) -> list[Variant]:
    return list_variants(location)


def require_variants() -> list[Variant]:
    """The store's registered variants (oldest first), or the empty-state page and a stop
    when there is no store; a store with variants but no runs yet still shows them."""
    path = current_store()
    if not store_exists(path):  # reading must never create an empty store
        empty_state(path)
        st.stop()
    try:
        return _variants(path, _stamp(path))
    except HarnessError as exc:
        st.error(str(exc))
        st.stop()


def samples(run_id: str) -> list[SampleRecord]:
    """A run's samples, cached until the store changes."""
    path = current_store()
    return _samples(path, _stamp(path), run_id)


def run_label(snapshot: Snapshot, run: RunRecord) -> str:
    """How a run is named in pickers: id, model, suite, date, status."""
    model = snapshot.models.get(run.model_hash)
    name = model.name if model else run.model_spec
    size = f" ({format_parameters(model.n_parameters)})" if model else ""
    status = "" if run.status == "complete" else f" [{run.status}]"
    return (
        f"{run.run_id[:8]} · {name}{size} · {run.suite} · {run.created_at:%Y-%m-%d %H:%M}{status}"
    )
