"""Graphon-limit and spectrum claims at the CPU default scale."""

import pytest

from theorycheck.claims import ClaimResult, Context, get_claim


@pytest.mark.parametrize("claim_id", ["graphon.constant_graphon",
                                      pytest.param("graphon.ntk_matches_masks", marks=pytest.mark.slow),
                                      pytest.param("graphon.limit_hypothesis", marks=pytest.mark.slow)])
def test_graphon_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context())
    assert r.status == "passed", (r.summary, r.reason)


def test_mask_claim_checks_decrease_and_ci_width():
    """'Mean error decreasing' and 'CI narrow enough' are checks of their own, not status overwrites."""
    claim = get_claim("graphon.ntk_matches_masks")
    data = dict(slope=-0.45, halfwidth_99=0.1, mean_by_width=[0.3, 0.2, 0.25, 0.1])
    r = ClaimResult(claim.id, checks=tuple(claim.judge(claim.config("small"), data)))
    assert [c.name for c in r.failing] == ["mean error decreases with width"] and r.status == "failed"
    assert r.failing[0].value == pytest.approx(1.25)


def test_limit_hypothesis_judges_eight_named_checks():
    claim = get_claim("graphon.limit_hypothesis")
    row = dict(spread_slope=-0.5, distance_to_largest=[0.3, 0.2, 0.1, 0.05, 0.0], rel_spread=[0.1] * 5,
               first_minus_last=0.0)
    rows = [dict(row, method=m) for m in ("random", "magnitude")]
    rows += [dict(row, method=m, rel_spread=[1.0] * 5, first_minus_last=0.5) for m in ("snip", "synflow")]
    checks = claim.judge(claim.config("small"), {"rows": rows})
    assert len(checks) == 8 and len({c.name for c in checks}) == 8 and all(c.holds for c in checks)
    rows[2]["first_minus_last"] = 0.05
    failing = [c.name for c in claim.judge(claim.config("small"), {"rows": rows}) if not c.holds]
    assert failing == ["snip: non-constant (first − last row density)"]


def test_spectrum_vs_speed_is_exploratory_and_ends_unsupported_when_it_does_not_hold():
    claim = get_claim("graphon.spectrum_vs_speed")
    assert claim.exploratory
    data = {"mean_spearman": -1.0, "spearman_by_sparsity": {"0.5": -1.0}, "rows": []}
    r = ClaimResult(claim.id, checks=tuple(claim.judge(claim.config("small"), data)), exploratory=claim.exploratory)
    assert r.status == "unsupported" and "not supported at this scale" in r.reason


@pytest.mark.slow
def test_spectrum_vs_speed_reports_its_numbers():
    """A weak empirical claim: 'passed' or 'unsupported' with the correlations, never an error."""
    r = get_claim("graphon.spectrum_vs_speed").run(Context())
    assert r.status in ("passed", "unsupported"), (r.summary, r.reason)
    assert len(r.data["rows"]) == 9 and set(r.data["spearman_by_sparsity"]) == {"0.5", "0.8", "0.9"}
