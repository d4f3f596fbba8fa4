"""Claims of the normbound family (the exact ones run at small scale; training is slow, marked)."""

import pytest

from theorycheck.claims import Context, get_claim


@pytest.mark.parametrize("cid", ["normbound.toeplitz_identity", "normbound.sqrt_n_scaling", "normbound.degree_effect"])
def test_exact_claims_pass(cid):
    r = get_claim(cid).run(Context())
    assert r.status == "passed", r.reason


@pytest.mark.slow
def test_tightness_claim_passes():
    r = get_claim("normbound.tighter_than_golowich").run(Context())
    assert r.status == "passed", r.reason
