"""``theorycheck verify``: usage errors, claim selection, interrupts, progress lines, exit codes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from theorycheck.claims import REGISTRY
from theorycheck.claims.base import SCALES
from theorycheck.report import cli
from theorycheck.report.cli import UsageError, main, select_claims
from theorycheck.sweep import EXECUTORS

from .fake_claims import fake_claims, interrupting_claims, use_fake_claims

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def test_cli_constants_mirror_the_library():
    assert cli.SCALES == SCALES
    assert set(cli.EXECUTORS) == set(EXECUTORS) | {"auto"}


@pytest.mark.parametrize("argv, words", [
    (["--device", "foo"], "--device"),
    (["--device", "gpu"], "--device"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "x"], "--seed"),
    (["--threads", "0"], "--threads"),
    (["--workers", "-1"], "--workers"),
    (["--claim", ""], "--claim"),
    (["--claim", "dens"], "dense"),
    (["--claim", "no.such.claim"], "matches no claim"),
    (["--scale", "huge"], "--scale"),
    (["--executor", "dask"], "--scheduler"),
])
def test_usage_errors_exit_2_with_one_line(argv, words, capsys, tmp_path):
    code = main(["verify", "--out", str(tmp_path / "r"), *argv])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in captured.err
    assert not (tmp_path / "r" / "report.md").exists()


def test_cuda_without_cuda_is_a_usage_error(capsys, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["verify", "--device", "cuda", "--out", str(tmp_path)]) == 2
    assert "CUDA is not available" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--out", "--cache"])
def test_unusable_out_or_cache_is_rejected_before_computing(flag, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    argv = ["verify", "--out", str(tmp_path / "r"), "--executor", "serial", flag, str(blocker / "sub")]
    with use_fake_claims(interrupting_claims()):  # would exit 130 if anything ran
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert flag in err and len(err.strip().splitlines()) == 1


def test_select_claims_matches_whole_segments():
    ids = ["dense.ntk_rate.relu", "dense.nngp_rate.relu", "dense.ntk_rate.erf", "dense.kernel_psd", "densex.a"]
    assert select_claims(None, ids) == ids
    assert select_claims(["dense"], ids) == ids[:4]
    assert select_claims(["dense."], ids) == ids[:4]
    assert select_claims(["dense.ntk_rate"], ids) == ["dense.ntk_rate.relu", "dense.ntk_rate.erf"]
    assert select_claims(["dense.kernel_psd", "dense.ntk_rate.erf"], ids) == ["dense.ntk_rate.erf",
                                                                             "dense.kernel_psd"]
    with pytest.raises(UsageError, match="close matches: dense"):
        select_claims(["dens"], ids)
    with pytest.raises(UsageError, match="--claim needs"):
        select_claims([""], ids)
    with pytest.raises(UsageError, match="matches no claim"):
        select_claims(["dense.ntk"], ids)


def test_list_and_family_selection(capsys):
    assert main(["verify", "--list", "--claim", "dense.ntk_rate"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["dense.ntk_rate.relu", "dense.ntk_rate.erf"]


def test_runs_fake_claims_prints_progress_lines_and_exits_1_on_failure(tmp_path, capsys):
    with use_fake_claims(fake_claims()):
        code = main(["verify", "--out", str(tmp_path), "--executor", "serial"])
    out = capsys.readouterr().out
    assert code == 1  # testonly.count fails
    assert "executor=serial" in out
    assert "[1/4] testonly.sum: started" in out
    assert "[1/4] testonly.sum: passed (1 of 1 checks hold)" in out
    assert "[2/4] testonly.count: failed (1 of 2 checks hold)" in out
    assert "[3/4] testonly.explore.weak: unsupported" in out
    assert "[4/4] testonly.explore.gpu: skipped" in out
    assert "squares: 6/6 points (100%)" in out
    assert "└ deliberately failing check" in out  # the final table lists the failing claim's sub-checks
    assert "1 claim(s) failed: testonly.count" in out
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["run"]["executor"] == "serial"
    assert [r["status"] for r in data["results"]] == ["passed", "failed", "unsupported", "skipped"]


def test_exploratory_unsupported_and_skipped_exit_0(tmp_path, capsys):
    with use_fake_claims(fake_claims()[2:]):
        assert main(["verify", "--out", str(tmp_path), "--executor", "serial"]) == 0


@pytest.mark.parametrize("with_cache", [True, False])
def test_interrupt_exits_130_with_one_line_and_keeps_finished_points(tmp_path, capsys, with_cache):
    argv = ["verify", "--out", str(tmp_path / "r"), "--executor", "serial"]
    if with_cache:
        argv += ["--cache", str(tmp_path / "cache")]
    with use_fake_claims(interrupting_claims()):
        assert main(argv) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted" in err[0]
    if with_cache:
        assert "rerun the same command to resume" in err[0]
        assert len(list((tmp_path / "cache").rglob("*.json"))) == 6  # every finished point is kept
    else:
        assert "rerun with --cache DIR" in err[0]


def test_a_damaged_cache_entry_is_named_recomputed_and_the_verdict_kept(tmp_path, capsys):
    argv = ["verify", "--out", str(tmp_path / "r"), "--executor", "serial", "--cache", str(tmp_path / "cache"),
            "--claim", "testonly.sum"]
    with use_fake_claims(fake_claims()):
        assert main(argv) == 0
        first = json.loads((tmp_path / "r" / "results.json").read_text())["results"][0]
        victim = sorted((tmp_path / "cache").rglob("*.json"))[2]
        victim.write_text(victim.read_text()[:10])
        capsys.readouterr()
        assert main(argv) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(victim) in err[0] and "recomputing" in err[0]
    again = json.loads((tmp_path / "r" / "results.json").read_text())
    assert again["results"][0]["data"] == first["data"] and again["results"][0]["status"] == "passed"
    assert len(again["run"]["cache_warnings"]) == 1
    assert json.loads(victim.read_text())["body"]["result"]  # repaired on disk


def test_help_and_import_do_not_import_torch():
    code = ("import sys, contextlib, io\n"
            "import theorycheck\n"
            "from theorycheck.report.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    assert main(['--help']) == 0 and main(['verify', '--help']) == 0\n"
            "print(sorted(m for m in ('torch', 'numpy', 'scipy', 'matplotlib', 'rich') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_list_imports_the_registry_without_torch():
    """``--list`` imports every claim module but none of the heavy packages: claims import them inside measure()."""
    code = ("import sys, contextlib, io\n"
            "from theorycheck.report.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out):\n"
            "    assert main(['verify', '--list']) == 0\n"
            "from theorycheck.claims import REGISTRY\n"
            "assert len(out.getvalue().splitlines()) == len(REGISTRY) > 0\n"
            "print(sorted(m for m in ('torch', 'scipy', 'sympy', 'mpmath', 'matplotlib', 'sklearn', 'rich')\n"
            "             if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "theorycheck", "verify", "--list"], capture_output=True, text=True,
                          env=ENV, cwd=ROOT)
    assert proc.returncode == 0 and "dense.kernel_psd" in proc.stdout
    assert set(REGISTRY) <= {line.split()[0] for line in proc.stdout.splitlines()}


_SLEEPY = """
import sys
from tests.report.fake_claims import sleepy_claims, use_fake_claims
from theorycheck.report.cli import main
with use_fake_claims(sleepy_claims()):
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_ctrl_c_stops_a_process_pool_promptly_and_keeps_finished_points(tmp_path):
    cache = tmp_path / "cache"
    argv = ["verify", "--out", str(tmp_path / "r"), "--executor", "processes", "--workers", "2", "--cache",
            str(cache)]
    proc = subprocess.Popen([sys.executable, "-c", _SLEEPY, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(cache.rglob("*.json"))) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: the whole process group
    out, err = proc.communicate(timeout=60)
    kept = len(list(cache.rglob("*.json")))
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "rerun the same command to resume" in lines[0]
    assert 3 <= kept < 40  # the finished points are on disk; the queued ones were cancelled, not run
