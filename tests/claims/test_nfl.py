"""The nfl claims (Chen, Huang, Wang 2023): the fast ones run at small scale; the survey claims are slow."""

import numpy as np
import pytest

from theorycheck.claims import Context, get_claim
from theorycheck.claims.nfl import _argmax_set, _directions, _flips, kendall_tau

FAST = ["nfl.cell_space", "nfl.dag_kernel", "nfl.curvature"]
SLOW = ["nfl.thm41_jacobian", "nfl.thm44_bound", "nfl.directions", "nfl.convergence_flips"]


@pytest.mark.parametrize("claim_id", FAST)
def test_fast_nfl_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context(scale="small", seed=0))
    assert r.status == "passed", (r.summary, r.reason)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", SLOW)
def test_slow_nfl_claims_pass(claim_id):
    r = get_claim(claim_id).run(Context(scale="small", seed=0))
    assert r.status == "passed", (r.summary, r.reason)


@pytest.mark.slow
def test_generalization_is_reported_not_asserted():
    c = get_claim("nfl.generalization")
    assert c.exploratory
    r = c.run(Context(scale="small", seed=0))
    assert r.status in ("passed", "unsupported"), r.reason
    assert all(np.isfinite(x["tau_ntk_error"]) for x in r.data["splits"])


def _rows(paths, diag, lk, lt, lmax):
    return [dict(code=f"c{i}", paths=p, mean_depth=1.0 / p, diag=d, lmin_nngp=a, lmin_ntk=b, lmax_ntk=m,
                 eigenvalues=[b, m], weights=[1.0, 1.0])
            for i, (p, d, a, b, m) in enumerate(zip(paths, diag, lk, lt, lmax))]


def test_direction_judging_on_synthetic_rows():
    rows = _rows([1, 1, 2, 3, 4], [1, 1, 2, 3, 4], [0.1, 0.1, 0.2, 0.5, 0.4], [1, 1, 2, 3, 5], [3, 3, 4, 6, 9])
    d = _directions(rows)
    assert d["tau_expr_paths"] < -0.5 and d["tau_nngp_paths"] > 0.5 and d["tau_ntk_paths"] > 0.5
    assert d["argmax_expr"] == ["c0", "c1"] and d["argmax_nngp"] == "c3" and d["argmax_ntk"] == "c4"
    assert d["distinct"] == 1
    # when the two λ_min argmaxes coincide, the "no free lunch" check must fail
    same = _directions(_rows([1, 2, 3], [1, 2, 3], [0.1, 0.2, 0.3], [1, 2, 3], [2, 3, 4]))
    assert same["distinct"] == 0
    f = _flips(rows)
    assert f["steps_global"] and len(f["steps_own"]) == 5
    assert _argmax_set(np.array([1.0, 1.0 + 1e-12, 0.5])) == [0, 1]
    assert kendall_tau([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
