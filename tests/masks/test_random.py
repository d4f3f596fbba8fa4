"""Pruning masks on the finite network (THEORY.md §0.5)."""

import math
import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc


def _x(seed, n, d):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _quiet(spec, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return spec.network(*args, **kw)


def test_bernoulli_density_and_exact_count():
    p = 0.7
    net = tc.MLP(depth=2, prune=p, prune_layers="all").network(256, 64, seed=0)
    for m in net.masks():
        n = m.numel()
        assert abs(float(m.mean()) - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)  # 5 standard errors
    net = tc.MLP(depth=2, prune=p, mask="exact", prune_layers="all").network(256, 64, seed=0)
    assert all(int((m == 0).sum()) == round(p * m.numel()) for m in net.masks())


def test_masks_are_nested_in_p_and_weights_shared_with_dense():
    dense = tc.MLP(depth=1).network(64, 8, seed=3)
    a = tc.MLP(depth=1, prune=0.3, prune_layers="all").network(64, 8, seed=3)
    with pytest.warns(RuntimeWarning, match="have no inputs left"):  # 0.8^8 ≈ 17 % of the 64 units lose all inputs
        b = tc.MLP(depth=1, prune=0.8, prune_layers="all").network(64, 8, seed=3)
    for ma, mb in zip(a.masks(), b.masks()):
        assert bool((mb <= ma).all())  # the sparser mask is a subset
    for ld, la in zip(dense.layers, a.layers):
        assert torch.equal(la.weight, ld.weight * la.mask)


def test_prune_layers_selects_matrices():
    with pytest.warns(RuntimeWarning, match="weight matrix 0"):  # p = 0.5 on 4 inputs: 1/16 of the units lose them all
        net = tc.MLP(depth=3, prune=0.5, prune_layers="hidden").network(16, 4)
    assert [m is None for m in net.masks()] == [False, False, False, True]
    net = tc.MLP(depth=3, prune=0.5, prune_layers=[1]).network(16, 4)
    assert [m is None for m in net.masks()] == [True, False, True, True]
    net = tc.MLP(depth=3, prune=0.5).network(16, 4)  # default "all_but_input": the input layer stays dense
    assert [m is None for m in net.masks()] == [True, False, False, False]


def test_pruned_weights_get_zero_gradient_and_never_move():
    spec = tc.MLP(depth=2, activation="tanh", prune=0.6, sigma_b=0.1, prune_layers="all")
    with pytest.warns(RuntimeWarning, match="have no inputs left"):  # p = 0.6 on 5 inputs: 0.6^5 ≈ 8 % of the units
        net = spec.network(32, 5, seed=1)
    x, y = _x(0, 16, 5), _x(1, 16, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    before = [layer.weight.detach().clone() for layer in net.layers]
    for _ in range(3):
        opt.zero_grad()
        ((net(x) - y) ** 2).mean().backward()
        for layer in net.layers:
            assert float(layer.weight.grad[layer.mask == 0].abs().max()) == 0.0
        opt.step()
    for layer, w0 in zip(net.layers, before):
        assert torch.equal(layer.weight[layer.mask == 0], w0[layer.mask == 0])
        assert not torch.equal(layer.weight[layer.mask == 1], w0[layer.mask == 1])


@given(p=st.floats(0.0, 0.95), rescale=st.sampled_from([False, True, "weights"]),
       layers=st.sampled_from(["all", "hidden", (0,), (1, 2)]), act=st.sampled_from(["relu", "erf", "tanh"]),
       seed=st.integers(0, 999), two=st.booleans())
def test_masked_structured_equals_jacobian(p, rescale, layers, act, seed, two):
    spec = tc.MLP(depth=2, activation=act, sigma_b=0.2, prune=p, rescale=rescale, prune_layers=layers,
                  mask="exact" if seed % 2 else "bernoulli", quadrature_degree=8)
    net = _quiet(spec, 12, 4, seed=seed)
    x1, x2 = _x(seed, 5, 4), (_x(seed + 1, 3, 4) if two else None)
    a = tc.empirical_ntk(net, x1, x2)
    b = tc.empirical_ntk(net, x1, x2, method="jacobian")
    assert float((a - b).abs().max()) <= 1e-12 * max(1.0, float(b.abs().max()))
    parts = tc.empirical_ntk_per_layer(net, x1, x2)
    assert torch.allclose(sum(parts.values()), a, rtol=1e-12, atol=1e-14)


def test_explicit_masks_list_and_dict():
    spec = tc.MLP(depth=1)
    m0 = (torch.rand(8, 3, generator=torch.Generator().manual_seed(0)) < 0.5).double()
    with pytest.warns(RuntimeWarning, match="have no inputs left"):  # a random 0/1 mask on 3 inputs empties a row
        net = spec.network(8, 3, masks=[m0, None])
    assert torch.equal(net.masks()[0], m0) and net.masks()[1] is None
    with pytest.warns(RuntimeWarning, match="have no inputs left"):
        net2 = spec.network(8, 3, masks={0: m0.numpy()})
    assert torch.equal(net2.masks()[0], m0)
    x = _x(2, 4, 3)
    assert torch.allclose(tc.empirical_ntk(net, x), tc.empirical_ntk(net, x, method="jacobian"), rtol=1e-12)


@pytest.mark.parametrize("masks, exc, match", [
    ([torch.ones(8, 4), None], ValueError, r"masks\[0\] must have the weight's shape \(8, 3\)"),
    ([torch.full((8, 3), 0.5), None], ValueError, r"masks\[0\] must contain only 0 and 1"),
    ([None], ValueError, "one entry per weight matrix"),
    ({5: torch.ones(8, 3)}, ValueError, "masks key"),
    ("ones", TypeError, "masks must be a list or a dict"),
])
def test_bad_explicit_masks(masks, exc, match):
    with pytest.raises(exc, match=match):
        tc.MLP(depth=1).network(8, 3, masks=masks)


def test_extreme_sparsity_warns_and_still_works():
    spec = tc.MLP(depth=2, prune=0.999, rescale=True, sigma_b=0.1)
    with pytest.warns(RuntimeWarning, match="have no inputs left"):
        net = spec.network(64, 8, seed=0)
    theta = tc.empirical_ntk(net, _x(0, 4, 8))
    assert torch.isfinite(theta).all()
    assert torch.isfinite(spec.kernel(_x(0, 4, 8)).ntk).all()
