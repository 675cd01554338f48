"""`harness report`: the leaderboard and lineage as a static HTML or Markdown file."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from filled_store import FilledStore

from harness.cli.main import main
from harness.report.svg import Bar, bar_chart

NAMES = ("tiny-base", "tiny-lora", "tiny-other")


class _Collect(HTMLParser):
    """Table cells and tag counts of a page, to assert on structure rather than strings."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self._in_cell = tag == "td"

    def handle_endtag(self, tag: str) -> None:
        self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells.append(data)


def test_the_html_report_holds_the_table_the_charts_and_the_lineage(
    report_store: FilledStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["report", "--store", str(report_store.path), "--format", "html", "--out", str(tmp_path)]
    )
    assert code == 0
    path = tmp_path / "leaderboard.html"
    assert f"wrote {path}" in capsys.readouterr().out
    html = path.read_text()
    page = _Collect()
    page.feed(html)
    assert page.tags["svg"] == 1  # one chart: the toy suite's headline column
    assert page.tags["rect"] == 3  # one bar per model
    assert '<table id="leaderboard">' in html
    for name in NAMES:
        assert name in page.cells
    assert any(re.fullmatch(r"0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]", cell) for cell in page.cells)
    assert "recipes/lora_sft.yaml" in page.cells  # the lineage edge
    assert "<script" not in html  # opens offline, nothing fetched


def test_the_markdown_report_links_its_charts_as_svg_files(
    report_store: FilledStore, tmp_path: Path
) -> None:
    assert (
        main(
            ["report", "--store", str(report_store.path), "--format", "md", "--out", str(tmp_path)]
        )
        == 0
    )
    text = (tmp_path / "leaderboard.md").read_text()
    assert (
        "| # | model | kind | parameters | precision | toy acc (95% CI) | mean | win rate |" in text
    )
    assert "![toy acc](leaderboard_charts/chart_1.svg)" in text
    assert (tmp_path / "leaderboard_charts" / "chart_1.svg").read_text().startswith("<svg")
    assert "  - **tiny-lora** (lora" in text  # indented under tiny-base


def test_report_on_a_missing_store_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--store", str(tmp_path / "none.db"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("harness: error: no store at") and err.count("\n") == 1
    assert not (tmp_path / "none.db").exists()


def test_a_bar_chart_draws_bars_error_bars_and_values() -> None:
    svg = bar_chart([Bar("a", 0.5, 0.4, 0.6), Bar("b<c", 0.25)], "acc & more")
    assert svg.count("<rect") == 2
    assert svg.count("<path") == 1  # only the bar with an interval gets an error bar
    assert "b&lt;c" in svg and "acc &amp; more" in svg
