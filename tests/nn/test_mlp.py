"""The finite network: NTK parameterisation, reproducible initialisation."""

import math

import torch

import theorycheck as tc


def test_forward_is_the_ntk_parameterisation():
    spec = tc.MLP(depth=2, activation="tanh", sigma_w=1.3, sigma_b=0.2)
    net = spec.network(width=16, in_features=5, seed=7)
    x = torch.randn(4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    h = x
    for i, layer in enumerate(net.layers):
        g = h if i == 0 else torch.tanh(h)
        h = 1.3 / math.sqrt(g.shape[1]) * g @ layer.weight.T + 0.2 * layer.bias
    assert torch.allclose(net(x), h, rtol=1e-14)
    assert net(x).shape == (4, 1) and net(x).dtype == torch.float64


def test_same_seed_same_network_and_different_seed_different_network():
    spec = tc.MLP(depth=2)
    a, b, c = (spec.network(8, 3, seed=s) for s in (1, 1, 2))
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb)
        assert not torch.equal(pa, pc)


def test_parameters_are_standard_normal():
    net = tc.MLP(depth=1).network(width=2048, in_features=64, seed=0)
    w = net.layers[0].weight.detach()
    # mean and variance of 131072 N(0,1) draws: 5 standard errors
    assert abs(float(w.mean())) < 5 / math.sqrt(w.numel())
    assert abs(float(w.var()) - 1) < 5 * math.sqrt(2 / w.numel())


def test_float32_network():
    net = tc.MLP(depth=1).network(width=8, in_features=3, dtype=torch.float32)
    assert net(torch.zeros(2, 3)).dtype == torch.float32
