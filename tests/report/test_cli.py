"""``theorycheck verify``: table, report files, exit codes."""

import json
import subprocess
import sys

from theorycheck.report.cli import main


def test_verify_writes_report_and_exits_zero(tmp_path, capsys):
    code = main(["verify", "--claim", "dense.float64_vs_mp50", "--claim", "dense.kernel_psd", "--out", str(tmp_path),
                 "--executor", "serial"])
    out = capsys.readouterr().out
    assert code == 0
    assert "dense.float64_vs_mp50" in out and "passed" in out
    md = (tmp_path / "report.md").read_text()
    assert "## `dense.kernel_psd`" in md and "![dense.kernel_psd](dense.kernel_psd.png)" in md
    assert (tmp_path / "dense.kernel_psd.png").stat().st_size > 1000
    data = json.loads((tmp_path / "results.json").read_text())
    assert {r["status"] for r in data["results"]} == {"passed"}
    html = (tmp_path / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "dense.kernel_psd" in html  # self-contained
    assert (tmp_path / "dense.kernel_psd.csv").read_text().startswith("activation,")


def test_sweep_claim_through_processes_with_resumable_cache(tmp_path):
    base = ["verify", "--claim", "pruned.effective_width_rate", "--out", str(tmp_path / "r"), "--cache",
            str(tmp_path / "cache")]
    assert main(base + ["--executor", "processes", "--workers", "2"]) == 0
    first = json.loads((tmp_path / "r" / "results.json").read_text())["results"][0]
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert len(cached) == 36  # every sweep point is on disk
    assert main(base + ["--executor", "serial"]) == 0  # resumes: every point is read back from the cache
    again = json.loads((tmp_path / "r" / "results.json").read_text())["results"][0]
    assert again["measured"] == first["measured"]


def test_list_and_unknown_claim(capsys):
    assert main(["verify", "--list"]) == 0
    assert "dense.ntk_rate.relu" in capsys.readouterr().out
    assert main(["verify", "--claim", "no.such.claim"]) == 2


def test_module_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "theorycheck", "verify", "--list"], capture_output=True, text=True)
    assert proc.returncode == 0 and "dense.kernel_psd" in proc.stdout
