"""The pruning claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs)."""

import functools

import pytest

from theorycheck.claims import Context, get_claim

PRUNED = ["pruned.scaling_identity", "pruned.no_scalar_factor", "pruned.rescale_dense_limit",
          "pruned.rescale_weights_factor", "pruned.effective_width_rate", "pruned.reductions"]


@functools.cache
def _result(claim_id):
    return get_claim(claim_id).run(Context(scale="small", seed=0))


@pytest.mark.parametrize("claim_id", PRUNED)
def test_pruned_claim_passes(claim_id):
    result = _result(claim_id)
    assert result.status == "passed", (result.summary, result.reason)
    assert result.margin >= 0


def test_effective_width_slope_and_band():
    r = _result("pruned.effective_width_rate")
    assert abs(r.data["slope"] + 0.5) <= r.data["halfwidth_99"]
    assert 1.0 <= r.data["band_min"] <= r.data["band_max"] <= 5.0
