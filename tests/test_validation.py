"""Bad input gets a clear ValueError/TypeError naming the parameter and the allowed range."""

import math

import numpy as np
import pytest
import torch

import theorycheck as tc


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(depth=-1), ValueError, r"depth must be an integer in \[0"),
    (dict(depth=2.5), TypeError, "depth must be an integer"),
    (dict(depth=True), TypeError, "depth must be an integer"),
    (dict(depth=2, sigma_w=0.0), ValueError, r"sigma_w must lie in \(0"),
    (dict(depth=2, sigma_w=math.nan), ValueError, "sigma_w must be a finite real number"),
    (dict(depth=2, sigma_w=math.inf), ValueError, "sigma_w must be a finite"),
    (dict(depth=2, sigma_b=-0.1), ValueError, r"sigma_b must lie in \[0"),
    (dict(depth=2, sigma_b="1"), TypeError, "sigma_b must be a real number"),
    (dict(depth=2, activation="swish"), ValueError, "activation must be one of"),
    (dict(depth=2, activation=3), TypeError, "activation must be a name"),
    (dict(depth=2, activation="leaky_relu", negative_slope=math.nan), ValueError, "negative_slope"),
    (dict(depth=2, activation="tanh", quadrature_degree=1), ValueError, "quadrature_degree"),
])
def test_bad_spec_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(**kwargs)


@pytest.mark.parametrize("x, exc, match", [
    (np.array([1.0, 2.0]), ValueError, "x1 must be 2-D"),
    (np.zeros((0, 3)), ValueError, "x1 must be non-empty"),
    (np.array([[1.0, np.nan]]), ValueError, "x1 must be finite"),
    (np.array([[1.0, np.inf]]), ValueError, "x1 must be finite"),
    ([[1.0, 2.0], [3.0]], ValueError, "ragged"),
    (np.array([["a", "b"]]), TypeError, "x1 must hold real numbers"),
    ("abc", TypeError, "x1 must be a numpy array"),
    (torch.zeros(2, 2, dtype=torch.complex128), TypeError, "x1 must be real"),
])
def test_bad_inputs(x, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=1).kernel(x)


def test_mismatched_features():
    with pytest.raises(ValueError, match="x2 must have 3 features"):
        tc.MLP(depth=1).kernel(np.ones((2, 3)), np.ones((2, 4)))
    net = tc.MLP(depth=1).network(4, 3)
    with pytest.raises(ValueError, match="x1 must have 3 features"):
        tc.empirical_ntk(net, np.ones((2, 5)))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(width=0, in_features=3), ValueError, r"width must be an integer in \[1"),
    (dict(width=4, in_features=0), ValueError, "in_features"),
    (dict(width=4, in_features=3, seed=-1), ValueError, "seed"),
    (dict(width=4.0, in_features=3), TypeError, "width must be an integer"),
])
def test_bad_network_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=1).network(**kwargs)


def test_bad_empirical_arguments():
    net = tc.MLP(depth=1).network(4, 3)
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="method must be"):
        tc.empirical_ntk(net, x, method="fast")
    with pytest.raises(ValueError, match="chunk_size"):
        tc.empirical_ntk(net, x, chunk_size=0)
    with pytest.raises(TypeError, match="net must be a torch.nn.Module"):
        tc.empirical_ntk("net", x)
    with pytest.raises(ValueError, match="n_samples"):
        tc.monte_carlo_kernel(tc.MLP(depth=1), x, width=4, n_samples=0)


def test_bad_mp_arguments():
    with pytest.raises(ValueError, match="closed-form activation"):
        tc.MLP(depth=1, activation="tanh").kernel_mp(np.ones((2, 2)))
    with pytest.raises(ValueError, match="dps"):
        tc.MLP(depth=1).kernel_mp(np.ones((2, 2)), dps=5)
    with pytest.raises(ValueError, match="x1 must be finite"):
        tc.MLP(depth=1).kernel_mp(np.array([[1.0, np.nan]]))
