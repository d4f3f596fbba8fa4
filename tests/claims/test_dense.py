"""The dense claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs)."""

import pytest

from theorycheck.claims import Context, get_claim

DENSE = ["dense.ntk_rate.relu", "dense.nngp_rate.relu", "dense.ntk_rate.erf", "dense.nngp_rate.erf",
         "dense.kernel_psd", "dense.float64_vs_mp50"]
#: dense.kernel_psd takes ~50 s CPU (its tanh and gelu kernels go through the scale-aware quadrature): slow
FAST = {"dense.float64_vs_mp50"}


@pytest.mark.parametrize("claim_id", [c if c in FAST else pytest.param(c, marks=pytest.mark.slow) for c in DENSE])
def test_dense_claim_passes(claim_id):
    claim = get_claim(claim_id)
    result = claim.run(Context(scale="small", seed=0))
    assert result.status == "passed", (result.summary, result.reason)
    assert all(c.holds and c.margin >= 0 for c in result.checks)
    assert claim.source and claim.assumptions and claim.docs.startswith("docs/theory/dense.md#")


@pytest.mark.slow
def test_rate_claim_reports_a_slope_near_minus_half():
    r = get_claim("dense.ntk_rate.relu").run(Context())
    assert abs(r.data["slope"] + 0.5) <= r.data["halfwidth_99"] <= 0.2
    assert [c.name for c in r.checks] == ["fitted slope within its 99% CI of −1/2", "CI narrow enough to be conclusive"]


def test_rate_claims_share_one_width_sweep(monkeypatch):
    """The NTK and the NNGP claim of one architecture read one sweep through Context.shared."""
    from theorycheck.claims import dense

    calls = []

    def fake_sweep(ctx, name, config):
        calls.append(name)
        return {"spec": name, "widths": [64, 128, 256], "n_inputs": 2, "d": 2,
                "err_ntk": [[0.4, 0.41], [0.29, 0.28], [0.2, 0.21]],
                "err_nngp": [[0.3, 0.31], [0.22, 0.2], [0.15, 0.16]]}

    monkeypatch.setattr(dense, "width_sweep", fake_sweep)
    ntk, nngp = get_claim("dense.ntk_rate.relu"), get_claim("dense.nngp_rate.relu")
    # the claim's measure closes over the module-level name at call time
    ctx = Context()
    r1, r2 = ntk.run(ctx), nngp.run(ctx)
    assert calls == ["relu"], calls
    assert r1.data["kernel"] == "ntk" and r2.data["kernel"] == "nngp"
