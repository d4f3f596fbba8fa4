"""Claims of the pbt family: the effective-dimension claim runs at small scale; the p-sweep is slow (marked)."""

import pytest

from theorycheck.claims import Context, get_claim
from theorycheck.claims import pbt as pbt_claims


def test_effective_noise_dim_claim_passes():
    r = get_claim("pbt.effective_noise_dim").run(Context())
    assert r.status == "passed", r.reason
    assert len(r.data["mc"]) == len(pbt_claims.DIM_CONFIGS["small"].ps)


def test_curve_judge_reads_the_right_numbers():
    cfg = pbt_claims.PBT_CONFIGS["small"]
    ps = list(cfg.ps)
    mean = [0.2 if p == 0 else 0.1 for p in ps]
    mean[ps.index(cfg.high_p)] = 0.45
    data = {"ps": ps, "mean": mean, "se": [0.02] * len(ps), "loss": [[0.009] * 3] * len(ps)}
    checks = pbt_claims._curve_judge(cfg, data)
    assert all(c.holds for c in checks)
    data["mean"][ps.index(cfg.high_p)] = 0.3  # far from chance: must fail
    assert not all(c.holds for c in pbt_claims._curve_judge(cfg, data))


def test_statements_render_at_every_scale():
    for cid in ("pbt.effective_noise_dim", "pbt.nonmonotone_test_error", "pbt.noise_memorisation"):
        for scale in ("small", "paper"):
            assert "{" not in get_claim(cid).render_statement(scale).replace("{0", "").replace("{±", "")


@pytest.mark.slow
def test_pbt_sweep_claims_pass_at_small_scale():
    ctx = Context()
    for cid in ("pbt.nonmonotone_test_error", "pbt.noise_memorisation"):
        r = get_claim(cid).run(ctx)
        assert r.status == "passed", r.reason
