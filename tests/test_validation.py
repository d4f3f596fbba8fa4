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


# ------------------------------------------------------------------------------------------ issue 10: edges
def test_large_bias_normalisation_is_scale_safe():
    """[1e200, 1e200] used to normalise to a zero row (‖x‖² overflows) and give a wrong kernel."""
    big = np.array([[1e200, 1e200], [1e-200, 3e-200], [3.0, 4.0]])
    u = tc.LargeBiasNet(1.0, normalize=True).inputs(big)
    expected = np.array([[2**-0.5, 2**-0.5], [1 / 10**0.5, 3 / 10**0.5], [0.6, 0.8]])
    assert np.allclose(u.numpy(), expected, rtol=1e-15)
    k = tc.LargeBiasNet(1.0, normalize=True).kernel(big)
    ref = tc.LargeBiasNet(1.0).kernel(expected)
    assert torch.allclose(k.ntk, ref.ntk, rtol=1e-14)
    with pytest.raises(ValueError, match="unit sphere"):
        tc.LargeBiasNet(1.0).kernel(big)


@pytest.mark.parametrize("fn", ["orthant_probability", "shifted_relu_moment", "orthant_owens_t"])
def test_orthant_functions_reject_correlations_outside_the_interval(fn):
    from theorycheck.kernels import orthant

    f = getattr(orthant, fn)
    with pytest.raises(ValueError, match=r"rho must be a correlation in \[-1, 1\]"):
        f(1.0, 1.5)
    with pytest.raises(ValueError, match=r"rho must be a correlation"):
        f(1.0, np.array([0.2, -1.0000001]))
    assert np.isfinite(f(1.0, np.array([-1.0, 0.0, 1.0]))).all()


def test_bias_helpers_reject_bad_arguments():
    from theorycheck.kernels.orthant import active_fraction, active_fraction_bound
    from theorycheck.specs.large_bias import sqrt_log_bias

    for f in (active_fraction, active_fraction_bound):
        with pytest.raises(ValueError, match="B must be ≥ 0"):
            f(-1.0)
        with pytest.raises(ValueError, match="B must be finite"):
            f(np.nan)
    for c in (0.0, -0.4, math.nan):
        with pytest.raises(ValueError, match="c must"):
            sqrt_log_bias(100, c)
    assert sqrt_log_bias(100) == pytest.approx(math.sqrt(0.4 * math.log(100)))


def test_large_bias_network_rejects_off_sphere_inputs_everywhere():
    spec = tc.LargeBiasNet(1.0)
    net = spec.network(16, 3, seed=0)
    off = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
    on = off / np.linalg.norm(off, axis=1, keepdims=True)
    for call in (lambda x: tc.empirical_ntk(net, x), lambda x: tc.train_gd(net, x, np.zeros(2), lr=0.1, steps=1),
                 lambda x: tc.monte_carlo_kernel(spec, x, width=8, n_samples=1)):
        with pytest.raises(ValueError, match="unit sphere"):
            call(off)
        call(on)  # accepted
    k = tc.monte_carlo_kernel(tc.LargeBiasNet(1.0, normalize=True), off, width=8, n_samples=1)
    assert torch.isfinite(k.ntk).all()


@pytest.mark.parametrize("x, exc, match", [
    ([["1", "2"]], TypeError, "x1 must hold real numbers"),
    ([[True, False]], TypeError, "x1 must hold real numbers"),
    (np.array([[True, False]]), TypeError, "x1 must hold real numbers"),
    (torch.tensor([[True, False]]), TypeError, "booleans"),
    ([[1 + 2j, 3.0]], TypeError, "x1 must be real"),
    (np.array([[1 + 2j, 3.0]]), TypeError, "x1 must be real"),
    (torch.ones(2, 2, dtype=torch.float64, requires_grad=True), ValueError, "requires grad"),
    (torch.ones(2, 2, device="meta"), ValueError, "meta"),
])
def test_strings_bools_complex_grad_and_meta_inputs(x, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=1).kernel(x)


def test_devices_are_resolved_with_a_clear_error():
    from theorycheck._validation import resolve_device

    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda'.*CUDA is not available"):
            resolve_device("cuda")
        with pytest.raises(ValueError, match="CUDA is not available"):
            tc.MLP(depth=1).kernel(np.ones((2, 2)), device="cuda")
    with pytest.raises(ValueError, match="meta"):
        resolve_device("meta")
    with pytest.raises(ValueError, match="device must name"):
        resolve_device("gpu0")
    assert resolve_device(None) == torch.device("cpu")


def test_seeds_beyond_64_bits_are_rejected():
    from theorycheck import masks as M

    net = tc.MLP(depth=1).network(4, 3)
    for call in (lambda s: tc.LargeBiasNet(1.0).network(4, 3, seed=s), lambda s: M.random_masks(net, 0.5, seed=s),
                 lambda s: M.graphon_mask(0.5, 3, 3, seed=s), lambda s: tc.nn.monte_carlo.child_seeds(s, 2)):
        with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 18446744073709551615\]"):
            call(2**64)
        call(2**64 - 1)


def test_spectral_metrics_and_linearized_loss_validate():
    from theorycheck.spectral import linearized_loss, spectral_metrics

    with pytest.raises(ValueError, match="no positive eigenvalue"):
        spectral_metrics(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-empty"):
        spectral_metrics(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="finite"):
        spectral_metrics(np.full((2, 2), np.nan))
    theta = np.eye(3)
    for lr in (0.0, -1.0):
        with pytest.raises(ValueError, match="lr must lie in"):
            linearized_loss(theta, np.ones(3), [0.0, 1.0], lr=lr)
    with pytest.raises(ValueError, match="residual must have one entry per row"):
        linearized_loss(theta, np.ones(2), [0.0])
    assert linearized_loss(theta, np.ones(3), [0.0])[0] == pytest.approx(1.5)


def test_layer_topology_rejects_nan_and_all_zero_weights():
    from theorycheck import topology as T

    m = np.ones((4, 5))
    with pytest.raises(ValueError, match="weights must be finite"):
        T.layer_topology(m, weights=np.full((4, 5), np.nan))
    with pytest.raises(ValueError, match="weights are zero on every kept connection"):
        T.layer_topology(m, weights=np.zeros((4, 5)))


def test_pai_generators_reject_nan_and_warn_on_empty_layers():
    from theorycheck import masks as M

    net = tc.MLP(depth=2, sigma_w=1.4).network(16, 4, seed=0)
    x = torch.randn(8, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.randn(8, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    bad = x.clone()
    bad[0, 0] = math.nan
    for gen in (M.snip_masks, M.grasp_masks):
        with pytest.raises(ValueError, match="x must be finite"):
            gen(net, 0.5, bad, y)
        with pytest.raises(ValueError, match="y must be finite"):
            gen(net, 0.5, x, torch.full((8,), math.nan, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"scores\[1\] contain NaN"):
        M.keep_top([torch.ones(3), torch.tensor([1.0, math.nan])], 0.5)
    with pytest.warns(RuntimeWarning, match=r"layer\(s\) \[0, 1, 2\] keep no connection"):
        M.magnitude_masks(net, 0.001, scope="layer")
