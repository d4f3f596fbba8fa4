"""The decoupling claims: the exact pieces pass at small scale; one sweep point returns every number the judges read;
the four sweep claims (≈ 1.5 min on a loaded core) pass at small scale (slow)."""

import math

import pytest

import theorycheck.claims.decoupling as dec
from theorycheck.claims import Context, get_claim

SWEEP_CLAIMS = ["decoupling.timescales", "decoupling.early_gap", "decoupling.feature_unlearning",
                "decoupling.mean_field_tracking"]


@pytest.mark.parametrize("claim_id", ["decoupling.test_error_formula", "decoupling.mean_field_fixed_point"])
def test_exact_pieces_pass(claim_id):
    r = get_claim(claim_id).run(Context(seed=0))
    assert r.status == "passed", r.reason
    assert all(c.name and c.meaning for c in r.checks)


def test_fixed_point_numbers():
    d = get_claim("decoupling.mean_field_fixed_point").run(Context()).data
    assert abs(d["v"][-1] - 1) < 0.02 and abs(d["a"][-1] - 1) < 0.02 and 0 <= d["excess"] < 1e-4


def test_one_sweep_point_returns_what_the_judges_read():
    out = dec.decoupling_point(m=8, seed=1, d=20, alpha=0.3, tau=0.3, a0=1.0, lr=0.2, horizon=2.0,
                               activation="cubic", record_every=1, trace_points=30, learn_tol=0.005,
                               ovf_fraction=0.25, t_gap=4.0, t_track=4.0, device="cpu")
    for key in ("t_learn", "t_min", "r_min", "r_final", "train_final", "gap", "v_at_min", "v_final",
                "a_over_sqrt_m", "track_error"):
        assert math.isfinite(out[key]), key
    assert out["n"] == 48 and out["r_final"] >= out["r_min"]
    assert out["trace"]["t"][0] == 0 and out["trace"]["t"][-1] == pytest.approx(16.0)
    assert out == dec.decoupling_point(m=8, seed=1, d=20, alpha=0.3, tau=0.3, a0=1.0, lr=0.2, horizon=2.0,
                                       activation="cubic", record_every=1, trace_points=30, learn_tol=0.005,
                                       ovf_fraction=0.25, t_gap=4.0, t_track=4.0, device="cpu")


def test_judges_fail_on_a_sweep_without_decoupling():
    """A fabricated sweep where t_ovf does not grow with m and the gap does not shrink fails the checks (the judges
    are not vacuous)."""
    cfg = dec.DECOUPLING_CONFIGS["small"]
    run = dict(t_ovf=20.0, t_learn=10.0, gap=0.05, track_error=0.05, r_final=0.1, r_min=0.05, v_at_min=0.9,
               v_final=0.5, train_final=0.001, a_over_sqrt_m=0.3)
    d = {"widths": list(cfg.widths), "tau": cfg.tau, "runs": [dict(run, m=m) for m in cfg.widths for _ in range(2)]}
    d["fit_ovf"], d["fit_gap"], d["fit_track"] = dec._fit(d, "t_ovf"), dec._fit(d, "gap"), dec._fit(d, "track_error")
    assert not all(c.holds for c in dec._times_judge(cfg, d))
    assert not all(c.holds for c in dec._gap_judge(cfg, d))
    assert all(c.holds for c in dec._unlearn_judge(cfg, d))


def test_statements_render_at_both_scales():
    for cid in ["decoupling.test_error_formula", "decoupling.mean_field_fixed_point", *SWEEP_CLAIMS]:
        claim = get_claim(cid)
        assert "{" not in claim.render_statement("small") and "{" not in claim.render_statement("paper")


@pytest.mark.slow
def test_sweep_claims_pass_at_small_scale():
    ctx = Context(seed=0)
    for cid in SWEEP_CLAIMS:
        r = get_claim(cid).run(ctx)
        assert r.status == "passed", (cid, r.reason)
