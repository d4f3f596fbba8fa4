"""The dense kernels agree with an independent implementation (conditional expectations + adaptive quadrature)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc

from .reference import mlp_kernels_reference

# QUADPACK reaches ~1e-14 per expectation; a few layers of recursion keep the total below 1e-12 relative.
TOL = 1e-12


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("act", ["relu", "erf", "identity"])
@given(depth=st.integers(1, 4), sw=st.floats(0.5, 2.0), sb=st.floats(0.05, 1.0), seed=st.integers(0, 2**16))
def test_agrees_with_independent_quadrature(act, depth, sw, sb, seed):
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=(3, 4))
    x2 = rng.normal(size=(2, 4))
    k = tc.MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb).kernel(x1, x2)
    ref_nngp, ref_ntk = mlp_kernels_reference(act, x1, x2, depth, sw, sb)
    for ours, ref in ((k.nngp.numpy(), ref_nngp), (k.ntk.numpy(), ref_ntk)):
        err = np.max(np.abs(ours - ref)) / np.max(np.abs(ref))
        assert err <= TOL, err
