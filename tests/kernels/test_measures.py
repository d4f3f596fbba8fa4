"""Kernel measures (theorycheck/kernels/measures.py) against direct computation."""

import math

import pytest
import torch

from theorycheck.kernels.measures import (
    gd_steps,
    generalization_bound,
    kernel_regression_error,
    lambda_min,
    spectral_weights,
)


def _spd(n, seed):
    a = torch.randn(n, n, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    return a @ a.T / n + 0.05 * torch.eye(n, dtype=torch.float64)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gd_steps_equal_explicit_iteration(seed):
    theta = _spd(12, seed)
    y = torch.randn(12, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed + 9))
    lam, w = spectral_weights(theta, y)
    for lr in (1.0 / max(lam), 0.3 / max(lam), 1.9 / max(lam)):
        r, k = y.clone(), 0
        while float((r * r).sum()) > 0.1 * float((y * y).sum()):
            r = r - lr * theta @ r
            k += 1
        assert gd_steps(lam, w, lr) == k
    assert gd_steps(lam, w, 1.0 / max(lam), max_steps=1) == math.inf
    with pytest.raises(ValueError, match="lr"):
        gd_steps(lam, w, 2.5 / max(lam))
    with pytest.raises(ValueError, match="fraction"):
        gd_steps(lam, w, 1.0 / max(lam), fraction=1.0)


def test_bound_lambda_min_and_kernel_regression():
    theta = _spd(10, 4)
    y = torch.randn(10, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    direct = 3 * math.sqrt(float(y @ torch.linalg.inv(theta) @ y) / 10)
    assert abs(generalization_bound(theta, y, 3) - direct) < 1e-12 * direct
    assert abs(lambda_min(theta) - float(torch.linalg.eigvalsh(theta)[0])) == 0
    with pytest.raises(ValueError, match="positive definite"):
        generalization_bound(-theta, y, 1)
    with pytest.raises(ValueError, match="total_depth"):
        generalization_bound(theta, y, 0)
    with pytest.raises(ValueError, match="y must"):
        generalization_bound(theta, y[:5], 1)
    # interpolation: the training points themselves are classified exactly
    labels = torch.arange(10) % 3
    onehot = torch.nn.functional.one_hot(labels, 3).double()
    assert kernel_regression_error(theta, theta, onehot, labels) == 0.0
    assert kernel_regression_error(theta, theta, 2.0 * (labels == 1).double() - 1, (labels == 1).long()) == 0.0
    with pytest.raises(ValueError, match="square"):
        lambda_min(torch.ones(2, 3))
