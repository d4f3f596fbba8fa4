"""The finite network: NTK parameterisation, reproducible initialisation."""

import math

import pytest
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


def _layer(n_in, n_out, q, rescale, seed):
    gen = torch.Generator().manual_seed(seed)
    mask = (torch.rand(n_out, n_in, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64) < q)
    return tc.nn.NTKLinear(n_in, n_out, 1.3, 0.4, gen, mask=mask.to(torch.float64), keep=q, rescale=rescale)


def _within(samples, target, k=5.0):
    """|mean − target| ≤ k standard errors of the mean."""
    se = float(samples.std() / math.sqrt(samples.numel()))
    return abs(float(samples.mean()) - target) <= k * se, (float(samples.mean()), target, se)


@pytest.mark.parametrize("rescale", [False, True, "weights"])
def test_the_layers_own_initialisation_has_the_limit_it_reports(rescale):
    """An independent route to the (α, β, γ) table: moments of the finite layer itself over its units.

    Forward: E[h_i(x) h_i(x')] = α σ_w² g·g'/n_in + σ_b²; NTK weight term per unit: c² Σ_j M_ij g_j g'_j with mean
    β σ_w² g·g'/n_in; backward: E[(c (W⊙M)ᵀ δ)_j²] = γ σ_w² Σ_i δ_i²/n_in. Each mean over ≥ 8192 i.i.d. units is
    held to 5 standard errors."""
    q, w2 = 0.3, 1.3**2
    g = torch.randn(2, 64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    wide = _layer(64, 8192, q, rescale, seed=1)
    alpha, beta, gamma = wide.kernel_step()
    with torch.no_grad():
        h = wide(g)
    gg = float(g[0] @ g[1])
    ok, info = _within(h[0] * h[1], alpha * w2 * gg / 64 + 0.16)
    assert ok, ("alpha", info)
    per_unit = wide.scale**2 * (wide.mask * (g[0] * g[1])).sum(dim=1)  # c² Σ_j M_ij g_j g'_j for every unit i
    ok, info = _within(per_unit, beta * w2 * gg / 64)
    assert ok, ("beta", info)
    # the layer's own NTK term sums exactly these per-unit values (δ = 1 on every unit)
    out = torch.zeros(2, 2, dtype=torch.float64)
    ones = torch.ones(2, 8192, dtype=torch.float64)
    wide.ntk_terms(g, ones, g, ones, out, torch.zeros_like(out), rows=2, block_bytes=1 << 20)
    assert float(out[0, 1]) == pytest.approx(float(per_unit.sum()), rel=1e-12)
    tall = _layer(8192, 64, q, rescale, seed=2)
    delta = torch.randn(1, 64, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    back = tall.backprop(delta)[0]
    ok, info = _within(back * back, tall.kernel_step().gamma * w2 * float(delta @ delta.T) / 8192)
    assert ok, ("gamma", info)
    assert tall.kernel_step() == (alpha, beta, gamma) == tc.kernels.MaskScaling(q, rescale).step()


def test_network_reports_its_layers_limits_and_readout_covariance():
    spec = tc.MLP(depth=2, sigma_w=1.3, sigma_b=0.2, prune=0.5, rescale="weights", prune_layers="hidden")
    with pytest.warns(RuntimeWarning, match="no inputs left"):  # 3 inputs at p = 0.5: some units keep none
        net = spec.network(8, 3, seed=0)
    assert net.kernel_steps() == [(1.0, 0.5, 1.0), (1.0, 0.5, 1.0), (1.0, 1.0, 1.0)]
    assert net.layers[0].keep == 0.5 and net.layers[2].keep == 1.0 and net.layers[2].rescale is False
    with pytest.raises(ValueError, match="single-output layer"):
        net.layers[0].output_covariance(torch.ones(2, 3), torch.ones(2, 3))
