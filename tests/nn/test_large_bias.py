"""The large-bias network and its bias-generalized NTK (THEORY.md §2)."""

import math

import numpy as np
import pytest
import torch

import theorycheck as tc


def _sphere(seed, n, d):
    x = torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True)


@pytest.mark.parametrize("train_bias", [True, False])
def test_structured_ntk_equals_jacobian(train_bias):
    spec = tc.LargeBiasNet(1.0, train_bias=train_bias)
    net = spec.network(64, 6, seed=0)
    x, y = _sphere(0, 5, 6), _sphere(1, 3, 6)
    for x2 in (None, y):
        a = tc.empirical_ntk(net, x, x2)
        b = tc.empirical_ntk(net, x, x2, method="jacobian")
        assert torch.allclose(a, b, rtol=1e-12, atol=1e-14)
    parts = tc.empirical_ntk_per_layer(net, x)
    jac = tc.empirical_ntk_per_layer(net, x, method="jacobian")
    assert set(parts) == set(jac)


@pytest.mark.parametrize("B", [0.0, 1.0, 2.0])
def test_empirical_kernel_meets_theory_check_3(B):
    """THEORY.md §2 check 3: m = 2·10^5, d = 20, 5 unit inputs: relative error to H_B < 0.02 (observed ≤ 0.008)."""
    x = _sphere(2, 5, 20)
    spec = tc.LargeBiasNet(B)
    k = spec.kernel(x)
    net = spec.network(200_000, 20, seed=3)
    err = float((tc.empirical_ntk(net, x) - k.ntk).norm() / k.ntk.norm())
    assert err < 0.02


def test_active_fraction_within_four_standard_errors():
    """THEORY.md §2 check 4."""
    x = _sphere(4, 3, 20)
    m = 200_000
    for B in (0.0, 1.0, 2.0):
        net = tc.LargeBiasNet(B).network(m, 20, seed=5)
        q = tc.LargeBiasNet(B).active_fraction()
        frac = net.active_counts(x).double() / m
        assert float((frac - q).abs().max()) <= 4 * math.sqrt(q * (1 - q) / m)


def test_diagonal_and_b0_reduction():
    x = _sphere(5, 6, 8)
    for B in (0.0, 0.7, 3.0):
        k = tc.LargeBiasNet(B).kernel(x)
        assert torch.allclose(k.ntk.diagonal(), torch.full((6,), 2 * tc.LargeBiasNet(B).active_fraction(),
                                                           dtype=torch.float64), rtol=1e-13)
    rho = (x @ x.T).clamp(-1, 1).fill_diagonal_(1.0)
    k0 = tc.LargeBiasNet(0.0).kernel(x)
    assert torch.allclose(k0.ntk, (rho + 1) * (math.pi - torch.arccos(rho)) / (2 * math.pi), rtol=1e-12)
    frozen = tc.LargeBiasNet(0.7, train_bias=False).kernel(x).ntk
    trained = tc.LargeBiasNet(0.7).kernel(x).ntk
    assert torch.allclose(frozen * (rho + 1), trained * rho, atol=1e-15)


def test_large_bias_is_finite_and_log_kernel():
    x = _sphere(6, 4, 5)
    k = tc.LargeBiasNet(30.0).kernel(x)
    assert torch.isfinite(k.ntk).all() and torch.isfinite(k.nngp).all()
    lk = tc.LargeBiasNet(30.0).kernel(x, log=True)
    assert torch.isfinite(lk.log_abs_ntk).all()
    assert float(lk.log_abs_ntk[0, 0]) == pytest.approx(math.log(2) + float(np.log(tc.active_fraction(30.0))),
                                                         rel=1e-13)


def test_training_keeps_sparsity_and_decreases_loss():
    m = 2000
    B = tc.sqrt_log_bias(m)
    x = _sphere(7, 10, 20)
    y = torch.randn(10, dtype=torch.float64, generator=torch.Generator().manual_seed(8))
    spec = tc.LargeBiasNet(B)
    lam = torch.linalg.eigvalsh(spec.kernel(x).ntk)
    net = spec.network(m, 20, seed=9)
    rec = tc.train_gd(net, x, y, lr=1.0 / float(lam[-1]), steps=40, log_every=5)
    assert rec.loss[-1] < 1e-3 * rec.loss[0]
    assert max(max(c) for c in rec.active_counts) <= 2 * m * spec.active_fraction()
    assert len(rec.kernel_drift) == len(rec.steps)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(bias=float("nan")), ValueError, "bias must be a finite"),
    (dict(bias=float("inf")), ValueError, "bias must be a finite"),
    (dict(bias=-1.0), ValueError, r"bias must lie in \[0"),
    (dict(bias=1.0, train_bias="yes"), TypeError, "train_bias must be a bool"),
])
def test_bad_spec(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        tc.LargeBiasNet(**kwargs)


def test_bad_inputs_and_labels():
    spec = tc.LargeBiasNet(1.0)
    with pytest.raises(ValueError, match="unit sphere"):
        spec.kernel(np.ones((2, 3)))
    with pytest.raises(ValueError, match="zero vector"):
        spec.kernel(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert torch.isfinite(tc.LargeBiasNet(1.0, normalize=True).kernel(np.ones((2, 3))).ntk).all()
    with pytest.raises(ValueError, match="width"):
        spec.network(-3, 4)
    net = spec.network(8, 3)
    x = _sphere(0, 4, 3)
    with pytest.raises(ValueError, match="y must have one target per input"):
        tc.train_gd(net, x, torch.zeros(3), lr=0.1, steps=1)
