"""sparsefirst claims at small scale (≈20 s and ≈40 s: slow)."""

import pytest

import theorycheck.claims.sparsefirst  # noqa: F401  (registers the claims)
from theorycheck.claims import Context, get_claim


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["sparsefirst.spatial_graphon_ntk", "sparsefirst.fixed_vs_learned_gap"])
def test_sparsefirst_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", (r.summary, r.reason)


def test_spatial_graphon_limit_is_exact_on_the_grid_of_patch_positions():
    """The spatial graphon has one step per patch position (P = 36 at 3×3 patches on 8×8), so the limit on the grid of
    P midpoints (the claim's resolution) equals the limit on a 4× finer grid to round-off, and differs from the
    constant-density limit by far more."""
    import math

    from theorycheck import MLP
    from theorycheck.claims.sparsefirst import GRAPHON_CONFIGS, _graphon_spec
    from theorycheck.fixtures import digits
    from theorycheck.methods.sparse_first_layer import n_patches
    from theorycheck.stats import relative_frobenius

    cfg = GRAPHON_CONFIGS["small"]
    p = n_patches((8, 8), cfg.patch)
    x, _ = digits(6)
    coarse = _graphon_spec(cfg.patch, cfg.depth, p * cfg.resolution_multiple).kernel(x).ntk.numpy()
    fine = _graphon_spec(cfg.patch, cfg.depth, 4 * p).kernel(x).ntk.numpy()
    assert cfg.resolution_multiple == 1 and relative_frobenius(coarse, fine) <= 1e-12
    constant = MLP(depth=cfg.depth, activation="relu", sigma_w=math.sqrt(2), sigma_b=0.1,
                   graphons=[cfg.patch**2 / 64] + [None] * cfg.depth).kernel(x).ntk.numpy()
    assert relative_frobenius(constant, fine) >= 0.01
