"""The cooc claims share one GD run (~20–60 s at small scale, slow); the pieces are tested in tests/transformers."""

import pytest

from theorycheck.claims import Context, get_claim

IDS = ["cooc.phase1", "cooc.single_target_rise", "cooc.phase2_monotone", "cooc.balancing", "cooc.margins",
       "cooc.gradient_identity"]


@pytest.mark.slow
def test_cooc_claims_pass_at_small_scale():
    ctx = Context(scale="small", seed=0)
    for cid in IDS:
        r = get_claim(cid).run(ctx)
        assert r.status == "passed", (cid, r.summary, r.reason)


def test_statements_render_at_both_scales():
    for cid in IDS:
        for scale in ("small", "paper"):
            assert get_claim(cid).render_statement(scale)


def test_paper_config_uses_the_papers_sizes():
    cfg = get_claim("cooc.phase1").config("paper")
    assert (cfg.n, cfg.L, cfg.d, cfg.m, cfg.m1, cfg.epochs, cfg.lr) == (60, 5, 64, 128, 256, 30000, 0.01)
