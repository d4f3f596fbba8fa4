"""The standard-parameterisation training proxy of depth-aware initialisation."""

import math

import pytest
import torch

from theorycheck.kernels.schedule import depth_schedule, schedule_product
from theorycheck.methods.depth_init import standard_mlp, train_digits


def test_standard_mlp_initialisation():
    sched = [1.0, 2.0, 0.5]
    net = standard_mlp(16, 32, 2, 10, sched, seed=0)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    assert [tuple(m.weight.shape) for m in linears] == [(32, 16), (32, 32), (10, 32)]
    for m, s in zip(linears, sched):
        assert float(m.bias.detach().abs().max()) == 0.0
        var = float(m.weight.detach().var()) * m.weight.shape[1]  # ≈ σ_w[l]² (fan-in scaling)
        assert abs(var / s**2 - 1) < 5 * math.sqrt(2 / m.weight.numel())
    with pytest.raises(ValueError, match=r"sigma_w\[1\]"):
        standard_mlp(4, 4, 2, 2, [1.0, -1.0, 1.0], seed=0)


def test_standard_mlp_schedule_is_he_times_root_p():
    x = torch.randn(5, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    sched = depth_schedule(3, 4.0)
    a = standard_mlp(8, 16, 3, 2, sched, seed=4)(x)
    b = standard_mlp(8, 16, 3, 2, math.sqrt(2), seed=4)(x)
    assert torch.allclose(a, math.sqrt(schedule_product(sched)) * b, rtol=1e-12, atol=0)


def test_train_digits_is_reproducible_and_learns():
    a = train_digits(math.sqrt(2), depth=2, width=16, epochs=1, lr=0.05, seed=1)
    b = train_digits(math.sqrt(2), depth=2, width=16, epochs=1, lr=0.05, seed=1)
    assert a == b
    assert a["train_loss"][-1] < a["initial_loss"] and a["test_accuracy"] > 0.5  # chance is 0.1
    with pytest.raises(ValueError, match="lr"):
        train_digits(1.0, depth=1, width=4, epochs=1, lr=0.0)
