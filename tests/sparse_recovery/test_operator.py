"""The matrix-free activation-pattern operator against an explicitly built A and the network itself."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorycheck.sparse_recovery import ActivationPatternOperator, fused_weights, relu_network


def _explicit(x, h):
    """A = [D_1 X, …, D_p X] written out with numpy (the independent route)."""
    return np.concatenate([np.diag((x @ h[:, j] >= 0).astype(float)) @ x for j in range(h.shape[1])], axis=1)


@given(n=st.integers(1, 12), d=st.integers(1, 6), m=st.integers(1, 9), chunk=st.integers(1, 5),
       seed=st.integers(0, 2**16))
def test_identity_and_routes(n, d, m, chunk, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    u = rng.standard_normal((d, m)) * (rng.random((d, m)) < 0.6)
    v = rng.standard_normal(m)
    op = ActivationPatternOperator(x, m, overrides={j: u[:, j] for j in range(m)}, chunk=chunk)
    w = fused_weights(u, v)
    f = relu_network(x, u, v)
    scale = max(1.0, np.abs(f).max())
    assert np.abs(op.matvec(w) - f).max() <= 1e-12 * scale
    a = _explicit(x, u)
    assert np.allclose(op.dense(), a, atol=0, rtol=0)
    r = rng.standard_normal(n)
    assert np.allclose(op.rmatvec(r), a.T @ r, atol=1e-12)
    nz = np.flatnonzero(w)
    assert np.allclose(op.matvec_sparse(nz, w[nz]), f, atol=1e-12 * scale)


def test_random_generators_are_reproducible_and_chunk_independent():
    x = np.random.default_rng(0).standard_normal((20, 4))
    a = ActivationPatternOperator(x, 10, seed=3, chunk=4)
    b = ActivationPatternOperator(x, 10, seed=3, chunk=4)
    assert np.array_equal(a.dense(), b.dense())
    # generators are drawn per chunk, so a different chunk size is a different (but valid) dictionary
    h = a.generators(np.arange(10))
    assert np.array_equal(a.dense(), _explicit(x, h))


def test_breaking_the_pattern_breaks_the_identity():
    """Sanity: with the complementary pattern (X h < 0) the identity fails."""
    rng = np.random.default_rng(1)
    x, u, v = rng.standard_normal((30, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
    op = ActivationPatternOperator(x, 3, overrides={j: -u[:, j] for j in range(3)})
    assert np.abs(op.matvec(fused_weights(u, v)) - relu_network(x, u, v)).max() > 0.1


def test_norm_estimate_matches_svd():
    x = np.random.default_rng(2).standard_normal((15, 3))
    op = ActivationPatternOperator(x, 6, seed=1)
    assert op.norm_estimate(300) == pytest.approx(np.linalg.norm(op.dense(), 2), rel=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(p=0), "p must be"), (dict(p=3, chunk=0), "chunk must be"), (dict(p=3, seed=-1), "seed must be"),
])
def test_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ActivationPatternOperator(np.ones((3, 2)), **kwargs)


def test_validation_shapes():
    with pytest.raises(ValueError, match="x must be"):
        ActivationPatternOperator(np.ones(3), 2)
    op = ActivationPatternOperator(np.ones((3, 2)), 2)
    with pytest.raises(ValueError, match="length d"):
        op.set_generator(0, np.ones(3))
    with pytest.raises(ValueError, match="block must be"):
        op.set_generator(5, np.ones(2))
    with pytest.raises(ValueError, match="w must have length"):
        op.matvec(np.ones(3))
    with pytest.raises(ValueError, match="r must have length"):
        op.rmatvec(np.ones(4))
    with pytest.raises(ValueError, match="indices must lie"):
        op.columns(np.array([4]))
