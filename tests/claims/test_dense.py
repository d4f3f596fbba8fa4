"""The dense claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs)."""

import math

import pytest

from theorycheck.claims import REGISTRY, Claim, ClaimResult, Context, get_claim, register

DENSE = ["dense.ntk_rate.relu", "dense.nngp_rate.relu", "dense.ntk_rate.erf", "dense.nngp_rate.erf",
         "dense.kernel_psd", "dense.float64_vs_mp50"]


@pytest.mark.parametrize("claim_id", DENSE)
def test_dense_claim_passes(claim_id):
    claim = get_claim(claim_id)
    result = claim.run(Context(scale="small", seed=0))
    assert result.status == "passed", (result.summary, result.reason)
    assert result.margin >= 0 and math.isfinite(result.measured)
    assert claim.statement and claim.source and claim.assumptions and claim.theory.startswith("THEORY.md")


def test_rate_claim_reports_a_slope_near_minus_half():
    r = get_claim("dense.ntk_rate.relu").run(Context())
    assert abs(r.data["slope"] + 0.5) <= r.data["halfwidth_99"] <= 0.2


def test_registry_rejects_duplicates_and_unknown_ids():
    with pytest.raises(ValueError, match="already registered"):
        register(REGISTRY["dense.kernel_psd"])
    with pytest.raises(ValueError, match="unknown claim id"):
        get_claim("nope")


def test_a_failing_or_crashing_check_is_never_reported_as_passed():
    def bad(ctx):
        raise RuntimeError("boom")

    c = Claim("tmp.crash", "t", "s", "src", "THEORY.md §0", "[R]", (), bad)
    r = c.run()
    assert r.status == "failed" and "boom" in r.reason
    assert ClaimResult("x", 2.0, 1.0, "<=", "").status == "failed"
    assert ClaimResult("x", math.nan, 1.0, "<=", "").status == "failed"
    assert ClaimResult.skipped("x", "no GPU").status == "skipped"


def test_a_claim_needing_cuda_is_skipped_without_it():
    import torch

    c = Claim("tmp.gpu", "t", "s", "src", "THEORY.md §0", "[R]", (), lambda ctx: ClaimResult("tmp.gpu", 0, 1, "<=", ""),
              requires=("cuda",))
    r = c.run()
    if torch.cuda.is_available():
        assert r.status == "passed"
    else:
        assert r.status == "skipped" and "CUDA" in r.reason and not r.passed


def test_context_validates():
    with pytest.raises(ValueError, match="scale must be one of"):
        Context(scale="huge")
