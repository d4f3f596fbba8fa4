"""Claims of the lottery family: the judges on synthetic data; the full sweeps are slow (marked)."""

import math

import pytest

from theorycheck.claims import Context, get_claim
from theorycheck.claims import lottery as lot


def test_n50_interpolation():
    assert lot.n50([10, 20, 30], [0.0, 0.4, 0.8]) == pytest.approx(22.5)
    assert lot.n50([10, 20], [0.6, 1.0]) == 10.0
    assert math.isnan(lot.n50([10, 20], [0.0, 0.2]))


def test_phase_judge_fails_on_quadratic_growth():
    cfg = lot.PHASE_CONFIGS["small"]
    data = {"n50_over_r": [6.0, 6.5, 7.0], "success": [[0, 1]] * 3}
    assert all(c.holds for c in lot._phase_judge(cfg, data))
    data["n50_over_r"] = [6.0, 12.0, 24.0]  # N_50 ∝ r²: must fail
    assert not all(c.holds for c in lot._phase_judge(cfg, data))


def test_statements_render():
    for cid in ("lottery.sample_complexity_linear_in_r", "lottery.local_convexity", "lottery.rate_faster_when_sparser"):
        for scale in ("small", "paper"):
            assert "r" in get_claim(cid).render_statement(scale)


@pytest.mark.slow
def test_lottery_claims_pass_at_small_scale():
    ctx = Context()
    for cid in ("lottery.sample_complexity_linear_in_r", "lottery.local_convexity", "lottery.rate_faster_when_sparser"):
        r = get_claim(cid).run(ctx)
        assert r.status == "passed", r.reason
