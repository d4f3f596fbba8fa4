"""``theorycheck verify``: table, report files, exit codes."""

import json
import subprocess
import sys

from theorycheck.report.cli import main


def test_verify_writes_report_and_exits_zero(tmp_path, capsys):
    code = main(["verify", "--claim", "dense.float64_vs_mp50", "--claim", "dense.kernel_psd", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "dense.float64_vs_mp50" in out and "passed" in out
    md = (tmp_path / "report.md").read_text()
    assert "## `dense.kernel_psd`" in md and "![dense.kernel_psd](dense.kernel_psd.png)" in md
    assert (tmp_path / "dense.kernel_psd.png").stat().st_size > 1000
    data = json.loads((tmp_path / "results.json").read_text())
    assert {r["status"] for r in data["results"]} == {"passed"}


def test_list_and_unknown_claim(capsys):
    assert main(["verify", "--list"]) == 0
    assert "dense.ntk_rate.relu" in capsys.readouterr().out
    assert main(["verify", "--claim", "no.such.claim"]) == 2


def test_module_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "theorycheck", "verify", "--list"], capture_output=True, text=True)
    assert proc.returncode == 0 and "dense.kernel_psd" in proc.stdout
