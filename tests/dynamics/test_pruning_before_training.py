"""Pruning-before-training simulation: data model, masked gradient, training loop and the effective dimension."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.dynamics.pruning_before_training import (
    PrunedTwoLayerNet,
    bernoulli_mask,
    effective_noise_dim,
    effective_noise_dim_monte_carlo,
    signal_noise_data,
    train_pruned_two_layer,
)


def _autograd_loss(net: PrunedTwoLayerNet, data) -> tuple[float, torch.Tensor]:
    """The loss written out independently (two explicit patches, autograd), as a second route to the gradient."""
    w = net.w.clone().requires_grad_(True)
    we = w * net.mask
    total = []
    for i in range(data.n):
        x1, x2 = data.signal[i], data.noise[i]
        f = 0.0
        for j, sign in ((0, 1.0), (1, -1.0)):
            act = torch.clamp(we[j] @ x1, min=0) ** net.q + torch.clamp(we[j] @ x2, min=0) ** net.q
            f = f + sign * act.sum() / net.m
        total.append(torch.log1p(torch.exp(-data.y[i] * f)))
    loss = torch.stack(total).mean()
    loss.backward()
    return float(loss.detach()), w.grad


@settings(max_examples=15)
@given(q=st.sampled_from([1.0, 2.0, 3.0]), p=st.sampled_from([0.0, 0.3, 0.8]), seed=st.integers(0, 1000))
def test_gradient_matches_autograd(q, p, seed):
    data = signal_noise_data(7, 12, 1.5, 1.0, seed)
    net = PrunedTwoLayerNet(12, 4, p, q=q, sigma0=0.5, seed=seed + 1)
    loss, grad, _ = net.loss_and_grad(data)
    ref_loss, ref_grad = _autograd_loss(net, data)
    assert loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-14)
    assert torch.allclose(grad, ref_grad, rtol=1e-10, atol=1e-13)
    assert bool((grad[net.mask == 0] == 0).all())


def test_data_model():
    a = signal_noise_data(50, 9, 2.0, 0.7, seed=3)
    b = signal_noise_data(50, 9, 2.0, 0.7, seed=3)
    assert torch.equal(a.noise, b.noise) and torch.equal(a.y, b.y)
    assert bool((a.noise[:, 0] == 0).all())
    assert torch.equal(a.signal, a.y[:, None] * a.mu[None, :])
    assert float(a.mu.norm()) == pytest.approx(2.0) and set(a.y.tolist()) <= {-1.0, 1.0}


def test_effective_noise_dim_against_monte_carlo():
    for p in (0.0, 0.5, 0.95):
        mean, se = effective_noise_dim_monte_carlo(p, 1.3, 60, samples=4000, seed=11)
        exact = effective_noise_dim(p, 1.3, 60)
        assert abs(mean - exact) <= 5 * se, (p, mean, exact, se)


def test_broken_formula_is_caught():
    """Sanity: the Monte Carlo separates (1 − p)(d − 1) from (1 − p)d (a dropped projection) at this size."""
    mean, se = effective_noise_dim_monte_carlo(0.0, 1.0, 5, samples=40000, seed=2)
    assert abs(mean - 4.0) <= 5 * se and abs(mean - 5.0) > 5 * se


@given(p=st.floats(0.0, 0.999), sigma=st.floats(0.1, 3.0), d=st.integers(2, 500))
def test_effective_noise_dim_is_linear_in_keep_rate(p, sigma, d):
    assert effective_noise_dim(p, sigma, d) == pytest.approx((1 - p) * effective_noise_dim(0.0, sigma, d), rel=1e-12)


def test_mask_rate():
    m = bernoulli_mask((200, 200), 0.7, torch.Generator().manual_seed(0))
    assert abs(float(m.mean()) - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 40000)


def test_training_reaches_target_and_pruned_weights_stay_zero():
    train = signal_noise_data(30, 50, 6.0, 1.0, seed=1)
    test = signal_noise_data(200, 50, 6.0, 1.0, seed=2)
    net = PrunedTwoLayerNet(50, 5, 0.5, seed=3)
    rec = train_pruned_two_layer(net, train, test, lr=0.5, steps=5000, record_every=7, stop_loss=0.01)
    assert rec.loss[-1] < 0.01 and rec.steps[-1] < 5000
    assert bool((net.w[net.mask == 0] == 0).all())
    assert len(rec.steps) == len(rec.test_error) == len(rec.signal) == len(rec.noise)
    assert rec.final["signal"] == pytest.approx(net.coefficients(train)[0])


def test_compacted_training_equals_plain_gd():
    """Training drops the columns no neuron keeps; the result equals plain masked GD on all columns."""
    train = signal_noise_data(20, 40, 3.0, 1.0, seed=5)
    test = signal_noise_data(20, 40, 3.0, 1.0, seed=6)
    net = PrunedTwoLayerNet(40, 3, 0.9, seed=7)
    ref = PrunedTwoLayerNet(40, 3, 0.9, seed=7)
    assert int((net.mask.sum(dim=(0, 1)) == 0).sum()) > 0  # some columns are dropped
    train_pruned_two_layer(net, train, test, lr=0.3, steps=25)
    for _ in range(25):
        _, grad, _ = ref.loss_and_grad(train)
        ref.w = ref.w - 0.3 * grad
    assert torch.allclose(net.w, ref.w, rtol=1e-12, atol=1e-15)


def test_coefficients_by_hand():
    net = PrunedTwoLayerNet(3, 1, 0.0, seed=0)
    net.w = torch.tensor([[[2.0, 1.0, 0.0]], [[-3.0, 0.0, 5.0]]], dtype=torch.float64)
    data = signal_noise_data(2, 3, 1.0, 1.0, seed=0)
    data.noise[:] = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    s, z = net.coefficients(data)
    assert s == pytest.approx(3.0)  # class −1 neuron: ⟨w, −μ⟩ = 3
    assert z == pytest.approx(5.0)


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5])
def test_p_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="p"):
        PrunedTwoLayerNet(10, 2, bad)
    with pytest.raises(ValueError, match="p"):
        effective_noise_dim(bad, 1.0, 10)


def test_bad_inputs_name_the_parameter():
    with pytest.raises(TypeError, match="p"):
        PrunedTwoLayerNet(10, 2, "0.5")
    with pytest.raises(ValueError, match="mask"):
        PrunedTwoLayerNet(10, 2, 0.5, mask=torch.ones(2, 3, 10))
    with pytest.raises(ValueError, match="mask"):
        PrunedTwoLayerNet(10, 2, 0.5, mask=torch.full((2, 2, 10), 0.5))
    with pytest.raises(ValueError, match="n"):
        signal_noise_data(0, 10, 1.0, 1.0, seed=0)
    with pytest.raises(ValueError, match="mu_norm"):
        signal_noise_data(5, 10, -1.0, 1.0, seed=0)
    net = PrunedTwoLayerNet(10, 2, 0.5)
    data = signal_noise_data(5, 11, 1.0, 1.0, seed=0)
    with pytest.raises(ValueError, match="dimension"):
        train_pruned_two_layer(net, data, data, lr=0.1, steps=1)
    ok = signal_noise_data(5, 10, 1.0, 1.0, seed=0)
    with pytest.raises(ValueError, match="lr"):
        train_pruned_two_layer(net, ok, ok, lr=0.0, steps=1)
