"""`harness dashboard`: the streamlit command line it becomes."""

from __future__ import annotations

from harness.cli.dashboard import APP, streamlit_command
from harness.cli.main import build_parser


def test_the_dashboard_command_serves_the_app_and_keeps_the_store_off_its_command_line() -> None:
    command = streamlit_command(8600, "127.0.0.1")
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    assert APP.is_file()
    assert command[command.index("--server.port") + 1] == "8600"
    assert "--store" not in command  # the app reads $HARNESS_STORE: no password in `ps`


def test_dashboard_and_report_default_to_the_default_store() -> None:
    parser = build_parser()
    assert parser.parse_args(["dashboard"]).store == "reports/harness.db"
    report = parser.parse_args(["report"])
    assert (report.format, report.out) == ("html", "reports")
