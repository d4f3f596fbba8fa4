"""The dst claims: invariants on a shortened run, the Bernoulli negative control, the leakage guard, and the full
claims at the default scale (slow)."""

import numpy as np
import pytest

from theorycheck.claims import Context, get_claim
from theorycheck.claims.dst import (
    DSTConfig,
    _invariants_judge,
    _invariants_measure,
    _ramanujan_judge,
    _ramanujan_measure,
    bernoulli_control,
)

TINY = DSTConfig(seeds=1, epochs=1, interval=5, bernoulli_sims=20)


@pytest.fixture(scope="module")
def tiny():
    ctx = Context()
    return ctx, _invariants_measure(TINY, ctx)


def test_invariant_checks_hold_on_a_short_run(tiny):
    ctx, data = tiny
    checks = _invariants_judge(TINY, data)
    assert all(c.holds for c in checks), [(c.name, c.value) for c in checks if not c.holds]
    assert data["update_steps"] == [5, 10, 15]  # T_end = int(0.75 · 23) = 17
    # the Ramanujan claim reads the same shared runs (no second training)
    n_reads = len(ctx.memo["__reads__"])
    r = _ramanujan_measure(TINY, ctx)
    assert len(ctx.memo["__reads__"]) == n_reads + 1 and len(_ramanujan_judge(TINY, r)) == 2
    assert len(r["tables"]["delta_r"]["set"]["steps"]) == 4  # init + 3 updates


def test_plots_draw_from_the_data(tiny):
    import matplotlib

    matplotlib.use("Agg")
    from theorycheck.claims import ClaimResult

    ctx, _ = tiny
    data = _ramanujan_measure(TINY, ctx)
    (name, fig), = get_claim("dst.ramanujan_vs_random").plot(ClaimResult("dst.ramanujan_vs_random", data=data), {})
    assert name.endswith(".png") and len(fig.axes) == 6
    fake = {"runs": [{"norms": [1.0, 2.0, 1.5]}, {"norms": [0.5, 0.7, 0.2]}], "dacc": [0.01, -0.02],
            "dacc_mean": -0.005, "dacc_se": 0.015}
    (name, fig), = get_claim("dst.pags_gain").plot(ClaimResult("dst.pags_gain", data=fake), {})
    assert len(fig.axes) == 2


def test_bernoulli_growth_drifts_and_top_k_does_not():
    d = bernoulli_control(seed=0, sims=30, shape=(64, 64), density=0.06, updates=10)
    assert all(x == 0 for x in d["drift_topk"])
    assert np.mean(np.abs(d["drift_bernoulli"]) > 0) > 0.9


def test_invariant_judge_fails_on_a_violation(tiny):
    """Sanity: a single nonzero pruned weight or one nnz drift fails its check."""
    data = dict(tiny[1], rows=list(tiny[1]["rows"]))
    data["rows"][3] = dict(data["rows"][3], pruned_weight=1e-9, nnz_change=1)
    failing = {c.name for c in _invariants_judge(TINY, data) if not c.holds}
    assert failing == {"nnz of every layer unchanged after every update",
                       "pruned weights exactly zero before and after every update"}


def test_leakage_guard_passes():
    r = get_claim("dst.leakage_guard").run(Context())
    assert r.status == "passed", r.reason
    assert r.data["optimism"] > 0.05 and abs(r.data["held_out_bias"]) < 0.02


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["dst.update_invariants", "dst.pags_selection"])
def test_dst_theorem_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", r.reason


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["dst.ramanujan_vs_random", "dst.pags_gain"])
def test_dst_exploratory_claims_report(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status in ("passed", "unsupported") and not r.error, r.reason
