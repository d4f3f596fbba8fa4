"""The Jacobian path of ``empirical_ntk`` keeps its documented 1 GiB memory cap (peak RSS of a fresh process)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import resource, torch
import theorycheck as tc
spec = tc.MLP(depth=2, activation="relu", sigma_w=1.4, sigma_b=0.1)
x = torch.randn(128, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
net = spec.network(width=1024, in_features=16, seed=0)
tc.empirical_ntk(net, x[:2], method="jacobian")  # warm up torch.func before the baseline
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
k = tc.empirical_ntk(net, x, method="jacobian")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
"""


@pytest.mark.slow
def test_jacobian_path_peak_memory_within_1_gib():
    # 2×1024 MLP, ~1.07 M parameters: one 1-GiB chunk would be 126 inputs; the old sizing peaked at ~3.6 GiB
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    growth = int(proc.stdout.strip().splitlines()[-1])
    assert growth <= 1.1 * 2**30, f"peak RSS grew by {growth / 2**30:.2f} GiB"
