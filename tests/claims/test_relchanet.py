"""RelChaNet claims: the identity claim at small scale; the empirical claims are slow (≈10 s each)."""

import pytest

import theorycheck.claims.relchanet as rc
from theorycheck.claims import Context, get_claim


def test_identity_claim_passes():
    r = get_claim("relchanet.relative_change_identity").run(Context())
    assert r.status == "passed", (r.summary, r.reason)
    assert r.data["updates_checked"] > 0


def test_planted_judge_fails_on_a_selection_outside_the_planted_features():
    cfg = rc.PLANTED_CONFIGS["small"]
    data = {"fraction_planted": [1.0, 0.5], "svc_selected": [0.9, 0.9], "svc_random": [[0.7], [0.7]]}
    checks = rc._planted_judge(cfg, data)
    assert [c.holds for c in checks] == [False, True]


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["relchanet.planted_recovery", "relchanet.digits"])
def test_empirical_claims_pass_at_small_scale(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", (r.summary, r.reason)
