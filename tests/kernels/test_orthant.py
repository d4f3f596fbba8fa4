"""Orthant probability and shifted-ReLU moment (THEORY.md §0.4, §2 checks 1, 2, 4)."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special
from scipy.stats import multivariate_normal

import theorycheck as tc
from theorycheck.kernels.orthant import orthant_probability_mp, shifted_relu_moment_mp


@pytest.mark.parametrize("B", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("rho", [-0.5, 0.0, 0.3, 0.9])
def test_agrees_with_scipy_mvn_and_owens_t(B, rho):
    ours = float(tc.orthant_probability(B, rho))
    mvn = multivariate_normal.cdf([-B, -B], mean=[0, 0], cov=[[1, rho], [rho, 1]], abseps=1e-13, releps=1e-13)
    assert abs(ours - mvn) / ours < 1e-8
    assert abs(ours - float(tc.orthant_owens_t(B, rho))) / ours < 1e-8


def test_exact_special_cases():
    rhos = np.linspace(-1, 1, 101)
    th = np.arccos(rhos)
    assert np.max(np.abs(tc.orthant_probability(0.0, rhos) - (np.pi - th) / (2 * np.pi))) < 1e-15
    k1 = (np.sqrt(1 - rhos**2) + (np.pi - th) * rhos) / (2 * np.pi)
    assert np.max(np.abs(tc.shifted_relu_moment(0.0, rhos) - k1)) < 1e-15
    for B in (0.5, 3.0, 12.0):
        # ρ = 0: independence, P = Q(B)²; ρ = 1: P = Q(B)
        assert math.isclose(float(tc.orthant_probability(B, 0.0, log=True)), 2 * special.log_ndtr(-B), rel_tol=1e-12)
        assert math.isclose(float(tc.orthant_probability(B, 1.0, log=True)), special.log_ndtr(-B), rel_tol=1e-14)
        assert float(tc.orthant_probability(B, -1.0)) == 0.0


@pytest.mark.slow  # ~1.2 s per example against mpmath: ~29 s CPU under the ci profile (25 examples)
@given(B=st.floats(0.0, 30.0), rho=st.floats(-0.999, 0.999))
def test_matches_50_digit_reference_in_log_space(B, rho):
    for fn, ref in ((tc.orthant_probability, orthant_probability_mp), (tc.shifted_relu_moment, shifted_relu_moment_mp)):
        lv = float(fn(B, rho, log=True))
        lr = float(ref(B, rho, 30, log=True))
        # |Δ log| is the relative error of the value; a log of size |L| itself carries an ulp of ≈ |L|·2.2e-16
        assert abs(lv - lr) <= 1e-10 + 8 * np.spacing(abs(lr)), (B, rho, lv, lr)


def test_underflowing_values_are_finite_in_log_space():
    assert float(tc.orthant_probability(30.0, 0.0)) == 0.0  # e^{−900} underflows float64
    lp = float(tc.orthant_probability(30.0, 0.0, log=True))
    assert math.isfinite(lp) and math.isclose(lp, 2 * special.log_ndtr(-30.0), rel_tol=1e-13)
    assert np.isfinite(tc.shifted_relu_moment(30.0, np.linspace(-0.99, 1, 50), log=True)).all()


def test_tail_bound():
    B = np.linspace(0, 40, 400)
    assert np.all(tc.active_fraction(B) <= tc.active_fraction_bound(B))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.5])
def test_bad_threshold(bad):
    with pytest.raises(ValueError, match="B must"):
        tc.orthant_probability(bad, 0.3)


def test_mpmath_reference_itself_is_converged():
    """The reference must reproduce the ρ = 0 identity P = Q(B)² to 40 digits even deep in the tail."""
    with mpmath.workdps(50):
        for B in (5, 20, 30):
            ref = orthant_probability_mp(B, 0.0, 50, log=True)
            exact = 2 * mpmath.log(mpmath.erfc(B / mpmath.sqrt(2)) / 2)
            assert abs(ref - exact) < mpmath.mpf(10) ** -35
