"""The pairank claims: the pipeline end to end at a tiny size (judges, summaries, plot), the full claims slow."""

import matplotlib
import pytest

from theorycheck.claims import ClaimResult, Context, get_claim
from theorycheck.claims.pairank import RankConfig, _sanity_judge, pairank_sweep

matplotlib.use("Agg")

TINY = RankConfig(densities=(0.1,), seeds=2, epochs=1, resamples=20)
IDS = ["pairank.imdb_ranks", "pairank.weighted_gap_ranks", "pairank.ramanujan_does_not_rank",
       "pairank.density_baseline", "pairank.mask_sanity"]


@pytest.fixture(scope="module")
def tiny():
    return pairank_sweep(Context(), TINY)


def test_tiny_pipeline_judges_and_draws(tiny):
    ci_imdb = tiny["stats"]["imdb"]
    assert set(tiny["stats"]) >= {"delta_r", "imdb", "weighted_gap", "density_0", "density_1", "density_2"}
    assert ci_imdb["ci"][0] <= ci_imdb["ci"][1]
    for cid in IDS:
        claim = get_claim(cid)
        checks = claim.judge(TINY, tiny)
        assert checks and all(c.name and c.meaning for c in checks)
        assert claim.summarize(TINY, tiny)
    nnz_checks = [c for c in _sanity_judge(TINY, tiny) if "nnz" in c.name]
    assert len(nnz_checks) == 5 and all(c.holds for c in nnz_checks)
    result = ClaimResult("pairank.imdb_ranks", data=tiny)
    (name, fig), = get_claim("pairank.imdb_ranks").plot(result, {})
    assert name.endswith(".png") and len(fig.axes) == 4


def test_statements_follow_the_scale():
    for cid in IDS:
        c = get_claim(cid)
        assert c.render_statement("small") != c.render_statement("paper")


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", IDS)
def test_pairank_claims_at_small_scale(claim_id):
    r = get_claim(claim_id).run(Context())
    assert not r.error, r.error
    if claim_id == "pairank.mask_sanity":
        assert r.status == "passed", r.reason


def test_default_methods_are_the_ranking_modules_methods():
    """RankConfig keeps the method names literal (listing claims must not import torch); they must stay in sync."""
    from theorycheck.sparse_training.ranking import PAI_METHODS

    assert RankConfig().methods == PAI_METHODS
