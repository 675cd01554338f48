"""A password in a PostgreSQL store URL reaches no table, output, log line, report or export.

Every command a team would point at its shared store runs with the password in ``--store``;
then every row of every table, everything printed, every log record and every file written
is searched for it.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest
from raw_store import raw_connection, raw_rows
from sqlalchemy import text
from sqlalchemy.engine import make_url

from harness.cli.main import main
from harness.store import open_store
from harness.store.sql import TABLES


@pytest.fixture()
def url_with_password(postgres_url: str) -> str:
    """The test database, owned by a role that logs in with a password in the URL."""
    database = make_url(postgres_url).database
    role, password = f"owner_{database}", f"pw-{secrets.token_hex(8)}"
    with raw_connection(postgres_url) as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f'ALTER DATABASE "{database}" OWNER TO {role}'))
    with raw_connection(postgres_url) as conn:
        conn.execute(text(f"ALTER SCHEMA public OWNER TO {role}"))
    return (
        make_url(postgres_url)
        .set(username=role, password=password)
        .render_as_string(hide_password=False)
    )


def test_no_password_in_tables_outputs_logs_or_files(
    url_with_password: str,
    toy_suite: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = make_url(url_with_password).password
    assert password and password in url_with_password
    caplog.set_level(logging.DEBUG)
    store = ["--store", url_with_password]
    evaluate = [
        "eval",
        "--model",
        "tiny-random-llama",
        "--suite",
        str(toy_suite),
        "--data-dir",
        str(toy_suite.parent.parent / "data"),
        "--no-progress",
        *store,
    ]
    assert main(evaluate) == 0
    assert main(evaluate) == 0
    with open_store(url_with_password) as opened:
        first, second = (run.run_id for run in reversed(opened.list_runs()))
    out = tmp_path / "out"
    out.mkdir()
    commands = [
        ["runs", *store],
        ["show", first, *store],
        ["export", first, "--out", str(out / "lm-eval.json"), *store],
        ["export", first, *store],
        [
            "gate",
            "--baseline",
            first,
            "--candidate",
            second,
            "--policy",
            "warn",
            *store,
            "--json",
            str(out / "gate.json"),
            "--junit",
            str(out / "gate.xml"),
        ],
        ["compare", "--baseline", first, "--candidate", second, *store],
        ["report", "--format", "html", "--out", str(out), *store],
        ["report", "--format", "md", "--out", str(out), *store],
        ["variants", *store],
        ["store", "copy", url_with_password, str(out / "copy.db"), "--no-progress"],
        ["show", "no-such-run", *store],  # an error message names the store too
    ]
    codes = [main(command) for command in commands]
    assert codes == [0] * (len(commands) - 1) + [2]
    printed = capsys.readouterr()

    assert password not in printed.out + printed.err
    assert "***" in printed.out + printed.err  # the store is named, redacted
    assert password not in caplog.text
    for table in TABLES:
        for row in raw_rows(url_with_password, f"SELECT * FROM {table}"):
            assert password not in repr(row), table
    written = sorted(path for path in out.rglob("*") if path.is_file())
    assert len(written) >= 5
    for path in written:
        assert password.encode() not in path.read_bytes(), path
