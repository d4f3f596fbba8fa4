"""The depthinit claims at small scale (the cheap ones run; the costly ones are marked slow)."""

import pytest

import theorycheck.claims.depthinit  # noqa: F401  (registers the family)
from theorycheck.claims import Context, get_claim
from theorycheck.claims.depthinit import best_scalar_fit_error, growth_sigma


def test_identity_claim_passes_at_small_scale():
    res = get_claim("depthinit.relu_product_identity").run(Context())
    assert res.status == "passed", res.summary


@pytest.mark.slow
def test_shape_claim_passes_at_small_scale():
    res = get_claim("depthinit.shape_change").run(Context())
    assert res.status == "passed", res.summary


@pytest.mark.slow
@pytest.mark.parametrize("cid", ["depthinit.variance_flow", "depthinit.digits_no_harm"])
def test_simulation_claims_run_at_small_scale(cid):
    res = get_claim(cid).run(Context())
    assert res.status in (("passed",) if cid == "depthinit.variance_flow" else ("passed", "unsupported")), res.summary


def test_statements_render_at_every_scale():
    for cid in ("depthinit.relu_product_identity", "depthinit.shape_change", "depthinit.variance_flow",
                "depthinit.digits_no_harm"):
        for scale in ("small", "paper"):
            cfg = get_claim(cid).config(scale)
            text = get_claim(cid).render_statement(scale)
            assert f"{cfg.depth} hidden" in text or f"{cfg.depth}-hidden" in text, text


def test_best_scalar_fit_error_is_zero_for_multiples():
    import torch

    k = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    assert best_scalar_fit_error(5 * k, k) < 1e-15
    assert best_scalar_fit_error(k + torch.eye(2, dtype=torch.float64), k) > 0.05


def test_growth_sigma():
    assert abs(growth_sigma(20, 1024) - 0.3156) < 1e-3
