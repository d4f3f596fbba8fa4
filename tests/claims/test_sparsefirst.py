"""sparsefirst claims at small scale (≈20 s and ≈40 s: slow)."""

import pytest

import theorycheck.claims.sparsefirst  # noqa: F401  (registers the claims)
from theorycheck.claims import Context, get_claim


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["sparsefirst.spatial_graphon_ntk", "sparsefirst.fixed_vs_learned_gap"])
def test_sparsefirst_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", (r.summary, r.reason)
