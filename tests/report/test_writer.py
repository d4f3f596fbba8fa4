"""The report a reader sees: sub-checks, statement, source, config, formulas, verdict notes, CSV, JSON."""

import csv
import json
import re

import pytest

from theorycheck.claims import REGISTRY, Context
from theorycheck.report.progress import LineProgress, results_table
from theorycheck.report.tables import csv_rows
from theorycheck.report.writer import write_report

from .fake_claims import LONG_SOURCE, fake_claims


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    ctx = Context()
    claims = fake_claims()
    pairs = [(c, c.run(ctx)) for c in claims]
    md = write_report(pairs, out, scale="small", seed=0, device="cpu",
                      run_info={"executor": "serial", "workers": 1, "threads": 1, "cores": 2})
    return out, md, pairs


def test_results_json_lists_every_sub_check(report):
    out, _, pairs = report
    data = json.loads((out / "results.json").read_text())
    assert data["run"]["executor"] == "serial"
    by_id = {r["claim_id"]: r for r in data["results"]}
    assert by_id["testonly.count"]["checks_holding"] == "1 of 2"
    assert [c["name"] for c in by_id["testonly.count"]["checks"]] == ["one result per point",
                                                                     "deliberately failing check"]
    assert {"value", "bound", "relation", "margin", "holds", "meaning"} <= set(by_id["testonly.count"]["checks"][1])
    assert [r["status"] for r in data["results"]] == ["passed", "failed", "unsupported", "skipped"]


def test_every_claim_csv_has_data_rows(report):
    out, _, pairs = report
    for claim, res in pairs:
        if not res.data:
            continue
        rows = list(csv.DictReader((out / f"{claim.id}.csv").open()))
        assert len(rows) >= 1, claim.id
        assert all(any(v not in ("", None) for v in r.values()) for r in rows)


def test_csv_rows_of_nested_and_tabular_data():
    nested = {"large_bias": {"steps": [0, 10], "loss": [1.0, 0.5], "B": 2.0}, "zero_bias": {"steps": [0]}}
    rows = csv_rows(nested)
    assert {"field": "large_bias.loss", "index": "1", "value": 0.5} in rows
    assert {"field": "large_bias.B", "index": "", "value": 2.0} in rows and len(rows) == 6
    assert csv_rows({"err": [[1.0, 2.0], [3.0, 4.0]]})[3] == {"field": "err", "index": "1,1", "value": 4.0}
    assert csv_rows({"rows": [{"a": 1}, {"a": 2, "b": [1, 2]}], "n": 3}) == [{"a": 1}, {"a": 2, "b": "[1, 2]"}]
    two = csv_rows({"fits": [{"s": 1}], "points": [{"s": 2}]})
    assert two == [{"table": "fits", "s": 1}, {"table": "points", "s": 2}]


def test_markdown_shows_sub_checks_statement_source_config_and_time(report):
    _, md, pairs = report
    text = md.read_text()
    assert "| `testonly.count` | Count with a failing check | 1 of 2 | **failed** |" in text
    assert "| deliberately failing check | 2 | <= | 1 | -1 | no | a value of 2 held against 1 |" in text
    assert "*Statement* (scale small). 6 points give 6 results." in text  # rendered at the run's scale
    assert LONG_SOURCE in text  # the full source, not cut at 48 characters
    assert "`docs/theory/testonly.md#anchor`" in text
    assert "`n` = 6" in text  # the config
    assert re.search(r"\d+\.\d s \+ \d+\.\d s shared", text)  # a claim that reads a shared sweep


def test_unsupported_shows_reason_and_declaration_skipped_shows_reason(report):
    _, md, pairs = report
    text = md.read_text()
    weak = text.split("## `testonly.explore.weak`")[1].split("## ")[0]
    assert "**Verdict: unsupported**" in weak and "Not supported at this scale" in weak
    assert "effect visible at this scale: 0.01 < 0.5" in weak
    assert "*Exploratory claim:* an empirical trend the paper only shows on large networks" in weak
    gpu = text.split("## `testonly.explore.gpu`")[1]
    assert "**Verdict: skipped**" in gpu and "needs a CUDA device" in gpu and "passed" not in gpu


def test_html_is_self_contained_and_typesets_formulas(report):
    out, _, _ = report
    html = (out / "report.html").read_text()
    assert not re.search(r"<script[^>]*\bsrc=", html) and not re.search(r"<link[^>]*href=['\"]?http", html)
    assert not re.search(r"<img[^>]*src=['\"]?http", html)
    assert "window.MathJax" in html and "MathJax" in html and len(html) > 1_000_000  # MathJax inlined
    assert "<div class='math'>\\[\\sum_{i&lt;n} i^2" in html
    assert "<body class='no-math'>" in html
    assert html.count("data:image/png;base64,") == 3  # every claim that ran has its plot; the skipped one none
    assert "<td class='fails'>no</td>" in html


def test_terminal_table_has_sub_check_rows_for_failing_claims(report):
    from rich.console import Console

    _, _, pairs = report
    console = Console(width=200, record=True, no_color=True)
    console.print(results_table(pairs, {}, "t"))
    text = console.export_text()
    assert "1 of 2" in text and "└ deliberately failing check" in text and "└ skipped" in text
    assert "└ one result per point" in text  # every sub-check of the failing claim
    assert "└ sum of squares" not in text  # a passed claim keeps one row


def test_line_progress_every_tenth_or_ten_seconds():
    import io

    now = [0.0]
    buf = io.StringIO()
    p = LineProgress(buf, [object()], {"scale": "small", "seed": 0, "device": "cpu", "executor": "serial",
                                       "threads": 1}, clock=lambda: now[0])
    p.tick("sweep", 0, 100)
    for done in range(1, 101):
        now[0] += 0.01 if done < 50 else 11.0  # slow points after the half
        p.tick("sweep", done, 100)
    lines = [line.strip() for line in buf.getvalue().splitlines()]
    assert lines[0] == "sweep: 0/100 points"
    assert "sweep: 10/100 points (10%), 0 s" in lines
    assert sum("sweep: " in line for line in lines) == 1 + 4 + 51  # deciles 10..40, then every point (> 10 s)
    assert lines[-1].startswith("sweep: 100/100 points (100%)")


def test_real_claims_report(tmp_path):
    """The dense PSD claim end to end: its CSV rows are the PSD table."""
    claim = REGISTRY["dense.float64_vs_mp50"]
    res = claim.run(Context())
    write_report([(claim, res)], tmp_path, scale="small", seed=0, device="cpu")
    rows = list(csv.DictReader((tmp_path / f"{claim.id}.csv").open()))
    assert len(rows) == len(res.data["rows"]) and float(rows[0]["max_rel_err"]) >= 0
    assert (tmp_path / "dense.float64_vs_mp50.png").stat().st_size > 1000
