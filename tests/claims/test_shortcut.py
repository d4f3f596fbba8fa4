"""The shortcut claims: the exact pieces pass at small scale (fast); the judges are not vacuous; the three
population-GD claims (≈ 40–60 s on a loaded core) pass at small scale (slow)."""

import math

import pytest

import theorycheck.claims.shortcut as sc
from theorycheck.claims import Context, get_claim

SWEEP_CLAIMS = ["shortcut.resnet_vs_cnn", "shortcut.cnn_half_space", "shortcut.step_size_ratio"]


def test_spurious_minimum_passes():
    r = get_claim("shortcut.spurious_minimum").run(Context(seed=0))
    assert r.status == "passed", r.reason
    assert all(abs(row["rotation_slope"] - 3) < 0.1 for row in r.data["rows"])


@pytest.mark.slow
def test_population_loss_passes():
    r = get_claim("shortcut.population_loss").run(Context(seed=0))
    assert r.status == "passed", r.reason


def test_closed_form_point_is_sharp():
    out = sc.closed_form_point(p=6, k=3, residual=True, samples=50_000, fd_step=1e-5, ones_fraction=0.05, seed=3)
    assert abs(out["z"]) < 4 and out["fd_error"] < 1e-8 and out["se"] / out["exact"] < 0.05


def _fake(cfg, resnet_rate, cnn_success, phi0_below):
    """A fabricated sweep: every ResNet cell succeeds at ``resnet_rate``; the CNN runs at the given outcomes."""
    n = cfg.runs

    def row(rate, **kw):
        ok = [i < rate * n for i in range(n)]
        return dict(success=ok, phi0=[1.0] * n, phi=[0.0] * n, phi_c=[math.pi / 2] * n, **kw)

    batches = []
    for _ in cfg.sizes:
        res = [row(resnet_rate, angle=a, lr_w=lr) for a in cfg.angles for lr in (cfg.lr_small, cfg.lr_large)]
        cnn = [dict(row(cnn_success, lr_w=lr), phi0=[1.0 if b else 2.0 for b in phi0_below(n)])
               for lr in (cfg.lr_small, cfg.lr_large)]
        batches.append({"resnet": res, "cnn": cnn})
    return {"sizes": [list(s) for s in cfg.sizes], "runs": n, "batches": batches}


def test_judges_fail_when_the_shortcut_does_not_help():
    cfg = sc.SHORTCUT_CONFIGS["small"]
    d = _fake(cfg, resnet_rate=0.5, cnn_success=0.5, phi0_below=lambda n: [i % 2 == 0 for i in range(n)])
    assert not all(c.holds for c in sc._vs_judge(cfg, d))
    assert not all(c.holds for c in sc._half_judge(cfg, d))  # outcomes unrelated to the start's half-space
    assert not all(c.holds for c in sc._ratio_judge(cfg, d))  # no step-size effect


def test_statements_render_at_both_scales():
    for cid in ["shortcut.population_loss", "shortcut.spurious_minimum", *SWEEP_CLAIMS]:
        claim = get_claim(cid)
        assert claim.render_statement("small") != claim.render_statement("paper")


@pytest.mark.slow
def test_sweep_claims_pass_at_small_scale():
    ctx = Context(seed=0)
    for cid in SWEEP_CLAIMS:
        r = get_claim(cid).run(ctx)
        assert r.status == "passed", (cid, r.reason)
