"""Iterative magnitude pruning: the hand-written gradient against autograd, the pruning schedule, validation."""

import math

import numpy as np
import pytest
import torch

from theorycheck.sparse_recovery import iterative_magnitude_pruning, planted_network
from theorycheck.sparse_recovery.imp import _train


def test_adam_step_uses_the_autograd_gradient():
    """One Adam step from the same point equals torch.optim.Adam with autograd (float64)."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 4)), rng.standard_normal(20)
    u, v = rng.standard_normal((4, 6)), rng.standard_normal(6)
    mask = (rng.random((4, 6)) < 0.7).astype(float)
    u *= mask
    ut, vt = torch.tensor(u, requires_grad=True), torch.tensor(v, requires_grad=True)
    opt = torch.optim.Adam([ut, vt], lr=1e-2)
    for _ in range(3):
        opt.zero_grad()
        loss = 0.5 * ((torch.relu(torch.tensor(x) @ ut) @ vt - torch.tensor(y)) ** 2).mean()
        loss.backward()
        ut.grad *= torch.tensor(mask)
        opt.step()
    _train(x, y, u, v, mask, 3, 1e-2)
    assert np.allclose(u, ut.detach().numpy(), atol=1e-12) and np.allclose(v, vt.detach().numpy(), atol=1e-12)


def test_schedule_prunes_ten_percent_per_round_down_to_s():
    net = planted_network(8, 2, 2, seed=1)
    x = net.inputs(60, 2)
    res = iterative_magnitude_pruning(x, net(x), 10, 4, seed=0, steps=5)
    assert res.nnz[-1] == 4 == np.count_nonzero(res.u)
    for a, b in zip(res.nnz[:-2], res.nnz[1:-1]):
        assert b == math.floor(0.9 * a)
    assert res.rounds == len(res.nnz) - 1


def test_fits_a_planted_network_better_than_zero():
    net = planted_network(8, 1, 2, seed=3)
    x = net.inputs(100, 4)
    y = net(x)
    res = iterative_magnitude_pruning(x, y, 8, 2, seed=1, steps=200)
    assert np.mean((res(x) - y) ** 2) < 0.5 * np.mean(y**2)


def test_validation():
    x = np.ones((5, 3))
    with pytest.raises(ValueError, match="s must be"):
        iterative_magnitude_pruning(x, np.ones(5), 2, 7)
    with pytest.raises(ValueError, match="prune_fraction"):
        iterative_magnitude_pruning(x, np.ones(5), 2, 2, prune_fraction=1.0)
    with pytest.raises(ValueError, match="x must be"):
        iterative_magnitude_pruning(x, np.ones(4), 2, 2)
