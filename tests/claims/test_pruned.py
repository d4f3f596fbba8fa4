"""The pruning claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs), and their sweep
points and judges behave."""

import functools
import math

import pytest

from theorycheck.claims import ClaimResult, Context, get_claim
from theorycheck.claims.pruned import network_error_point

PRUNED = ["pruned.scaling_identity", "pruned.no_scalar_factor", "pruned.rescale_dense_limit",
          "pruned.rescale_weights_factor", "pruned.effective_width_rate", "pruned.reductions",
          "pruned.input_layer_gap"]
FAST = {"pruned.scaling_identity"}


@functools.cache
def _result(claim_id):
    return get_claim(claim_id).run(Context(scale="small", seed=0))


@pytest.mark.parametrize("claim_id", [c if c in FAST else pytest.param(c, marks=pytest.mark.slow) for c in PRUNED])
def test_pruned_claim_passes(claim_id):
    result = _result(claim_id)
    assert result.status == "passed", (result.summary, result.reason)
    assert all(c.holds for c in result.checks)


@pytest.mark.slow
def test_effective_width_slope_and_band():
    r = _result("pruned.effective_width_rate")
    assert abs(r.data["slope"] + 0.5) <= r.data["halfwidth_99"] <= 0.2
    assert 1.0 <= r.data["band_min"] <= r.data["band_max"] <= 5.0


def _rate_data(band_max=3.0, slope=-0.48, halfwidth=0.1):
    return dict(slope=slope, halfwidth_99=halfwidth, band_min=1.9, band_max=band_max)


@pytest.mark.parametrize("data, failing", [
    (_rate_data(), []),
    (_rate_data(band_max=6.0), ["mean error × √((1−p)m) ≤ upper end of the band"]),
    (_rate_data(halfwidth=0.3), ["CI narrow enough to be conclusive"]),
    (_rate_data(slope=-0.2), ["fitted slope within its 99% CI of −1/2"]),
])
def test_effective_width_judge_names_each_failing_check(data, failing):
    """The band and the CI width are checks of their own, not status overwrites."""
    claim = get_claim("pruned.effective_width_rate")
    checks = claim.judge(claim.config("small"), data)
    result = ClaimResult(claim.id, checks=tuple(checks))
    assert [c.name for c in result.failing] == failing
    assert result.status == ("passed" if not failing else "failed")


def test_no_scalar_factor_judge_splits_gap_and_error():
    claim = get_claim("pruned.no_scalar_factor")
    rows = [dict(case="relu, σ_b²=0.1, p=0.5", gap=0.05, gap_threshold=0.1, r_exact=2.5, width=2048)]
    checks = claim.judge(claim.config("small"), {"rows": rows})
    assert [(c.value, c.bound, c.relation, c.holds) for c in checks] == [(0.05, 0.1, ">=", False),
                                                                         (2.5, 2.0, "<=", False)]


def _gap_data(ratio=0.25, r_exact=1.0, r_rec=10.0, se=0.001):
    gaps = [dict(act=a, p=p, d=d, gap=0.1 * (32 / d if d == 128 else 1) * (ratio * 4 if d == 128 else 1),
                 stderr=se) for a in ("relu", "erf") for p in (0.5, 0.9) for d in (32, 128)]
    nets = [dict(act=a, p=p, d=6, seeds=6, width=2048, r_exact=r_exact, r_recursion=r_rec)
            for a in ("relu", "erf") for p in (0.5, 0.9)]
    return {"gaps": gaps, "networks": nets}


@pytest.mark.parametrize("data, failing", [
    (_gap_data(), []),
    (_gap_data(ratio=0.6), [f"{a}, p={p:g}: gap falls like 1/d from d = 32 to 128" for a in ("relu", "erf")
                            for p in (0.5, 0.9)]),
    (_gap_data(se=0.01), ["gaps at d = 32, 128 resolved by the sampled exact limit"]),
    (_gap_data(r_rec=3.0), ["erf, p=0.9, d=6: networks measurably away from the d → ∞ recursion"]),
])
def test_input_layer_gap_judge_names_each_failing_check(data, failing):
    """Ratio 1/4 within a factor 2, gaps ≥ 3 SE, networks r ≤ 2 to the exact limit and ≥ 6 to the recursion."""
    claim = get_claim("pruned.input_layer_gap")
    result = ClaimResult(claim.id, checks=tuple(claim.judge(claim.config("small"), data)))
    assert [c.name for c in result.failing] == failing


def test_error_point_references():
    kw = dict(width=64, seed=1, input_seed=0, device="cpu")
    # at p = 0 the limit, the dense limit and (1−0)^3 × dense are the same kernel
    errs = {ref: network_error_point(0.0, reference=ref, **kw) for ref in ("limit", "dense", "scalar")}
    assert errs["limit"] == errs["dense"] == errs["scalar"] and 0 < errs["limit"] < 1
    # without rescaling (input layer dense), the p = 0.5 network is far from the dense limit and close to q^L × dense
    far, near = (network_error_point(0.5, reference=r, prune_layers="all_but_input", **kw) for r in ("dense", "scalar"))
    assert far > 0.5 and near < far and math.isfinite(near)
    with pytest.raises(ValueError, match="reference must be"):
        network_error_point(0.5, reference="nope", **kw)
