"""Per-layer forward/backward variances of a finite network against autograd and the ReLU prediction."""

import math

import pytest
import torch

import theorycheck as tc
from theorycheck.kernels.schedule import depth_schedule, relu_variance_profile
from theorycheck.nn.variance_flow import forward_backward_variances


def test_matches_a_direct_computation():
    x = torch.randn(3, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    net = tc.MLP(2, "tanh", sigma_w=[1.0, 1.5, 0.7], sigma_b=0.3).network(7, 5, seed=1)
    out = forward_backward_variances(net, x)
    inputs, pre = net.trace(x)
    assert out["q"] == pytest.approx([float(p.square().mean()) for p in pre[:2]], rel=1e-14)
    # δ_2 = ∂f/∂h_2 by hand: readout scale · w_readout ⊙ φ'(h_2)
    h2 = pre[1].clone().requires_grad_(True)
    f = net.layers[2](torch.tanh(h2)).sum()
    (g,) = torch.autograd.grad(f, h2)
    assert out["delta2"][1] == pytest.approx(float(g.square().sum()) / 3, rel=1e-13)


def test_relu_means_match_the_prediction():
    """E[q_l] is exact at any width for ReLU without bias; 24 networks of width 256, depth 4: the mean q_L/q_1 and
    D_1 within 5 predicted standard errors (per-network relative s.d. ≈ √(e^{(5(L−1)+2)/N} − 1) = 0.25)."""
    depth, width, n = 4, 256, 24
    x = torch.randn(16, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    sched = depth_schedule(depth, 16.0)
    spec = tc.MLP(depth, "relu", sigma_w=sched)
    runs = [forward_backward_variances(spec.network(width, 8, seed=s), x) for s in range(n)]
    pred = relu_variance_profile(sched, float((x * x).sum(1).mean()) / 8)
    q = torch.tensor([r["q"] for r in runs]).mean(0)
    d1 = sum(r["delta2"][0] for r in runs) / n
    se = math.sqrt(math.expm1((5 * (depth - 1) + 2) / width)) / math.sqrt(n)
    assert abs(float(q[-1] / q[0]) / (pred["q"][-1] / pred["q"][0]) - 1) < 5 * se
    assert abs(d1 / pred["delta2"][0] - 1) < 5 * se


def test_bad_inputs():
    net = tc.MLP(1).network(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"x must be a tensor \[n, 3\]"):
        forward_backward_variances(net, torch.zeros(2, 4, dtype=torch.float64))
