"""`harness dashboard`: the streamlit command line it becomes."""

from __future__ import annotations

from pathlib import Path

from harness.cli.dashboard import APP, streamlit_command
from harness.cli.main import build_parser


def test_the_dashboard_command_serves_the_app_over_the_given_store() -> None:
    command = streamlit_command(Path("/data/h.db"), 8600, "127.0.0.1")
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert APP.is_file()
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[-3:] == ["--", "--store", "/data/h.db"]


def test_dashboard_and_report_default_to_the_default_store() -> None:
    parser = build_parser()
    assert parser.parse_args(["dashboard"]).store == "reports/harness.db"
    report = parser.parse_args(["report"])
    assert (report.format, report.out) == ("html", "reports")
