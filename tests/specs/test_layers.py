"""Per-matrix layer specs: the masking conventions written once give the same kernels, masks and networks as
the hand-written table they replaced."""

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.kernels.recursion import mlp_kernels
from theorycheck.kernels.steps import GraphonStep, KernelStep
from theorycheck.masks.random import mask_seed, random_mask
from theorycheck.specs.layers import LayerSpec


def _old_layer_factors(depth, prune, rescale, pruned_layers):
    """The table MLP.layer_factors held before the layer objects (commit f54b36c), kept as the reference."""
    q = 1.0 - prune
    out = []
    for layer in range(depth + 1):
        if prune == 0.0 or layer not in pruned_layers or rescale is True:
            out.append((1.0, 1.0, 1.0))
        elif rescale == "weights":
            out.append((1.0, q, 1.0))
        else:
            out.append((q, q, q))
    return out


@given(depth=st.integers(0, 4), p=st.floats(0.0, 0.95), rescale=st.sampled_from([False, True, "weights"]),
       layers=st.sampled_from(["all", "hidden", [0], [1, 2]]), act=st.sampled_from(["relu", "erf", "abs", "tanh"]),
       sb=st.floats(0.0, 1.0), seed=st.integers(0, 99))
def test_one_place_factors_give_the_same_kernels_as_before(depth, p, rescale, layers, act, sb, seed):
    if not isinstance(layers, str):
        layers = [i for i in layers if i <= depth] or "all"
    spec = tc.MLP(depth=depth, activation=act, sigma_w=1.3, sigma_b=sb, prune=p, rescale=rescale,
                  prune_layers=layers, quadrature_degree=8, input_layer="gaussian")  # the d → ∞ recursion
    old = _old_layer_factors(depth, spec.prune, rescale, spec.pruned_layers)
    assert [tuple(f) for f in spec.layer_factors()] == old
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    k = spec.kernel(x)
    ref = mlp_kernels(x, None, depth=depth, sigma_w=1.3, sigma_b=sb, expect=spec.activation.expectations(8),
                      factors=old)
    assert torch.equal(k.nngp, ref[0]) and torch.equal(k.ntk, ref[1])
    # the finite layers report the same limit as the spec (for the matrices that carry a random mask)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        net = spec.network(4, 3, seed=seed)
    for i, (layer, f) in enumerate(zip(net.layers, old)):
        if layer.mask is not None:
            assert layer.kernel_step() == f, i


@pytest.mark.parametrize("kind", ["bernoulli", "exact"])
def test_random_masks_are_those_of_the_mask_module(kind):
    gen_a, gen_b = torch.Generator().manual_seed(mask_seed(3)), torch.Generator().manual_seed(mask_seed(3))
    ls = LayerSpec(0.3, True, kind)
    assert torch.equal(ls.sample_mask((7, 5), gen_a), random_mask((7, 5), 0.3, kind, gen_b))
    assert LayerSpec(0.3, True, None).sample_mask((7, 5), gen_a) is None
    assert ls.kernel_step() == KernelStep() and LayerSpec(0.3, False, kind).kernel_step() == (0.7, 0.7, 0.7)
    assert LayerSpec(0.3, "weights", None).kernel_step() == KernelStep()  # not masked: dense limit


def test_graphon_layer_specs():
    fn = lambda v, u: 0.2 + 0.6 * v * u  # noqa: E731
    g = LayerSpec(mask="graphon", graphon=fn, name="graphons[0]")
    step = g.kernel_step(4, 3)
    assert isinstance(step, GraphonStep) and step.values.shape == (4, 3) and g.position_dependent
    assert LayerSpec(mask="graphon", graphon=0.4).kernel_step() == (0.4, 0.4, 0.4)
    assert LayerSpec(mask="graphon", graphon=None).kernel_step() == KernelStep()
    assert LayerSpec(mask="graphon", graphon=None).sample_mask((3, 3), torch.Generator()) is None
    m = g.sample_mask((64, 64), torch.Generator().manual_seed(0))
    # expected row densities 0.2 + 0.3v: 0.46 on the last 16 rows, 0.24 on the first 16 (s.e. 0.016 each)
    assert float(m[-16:].mean()) > float(m[:16].mean()) + 0.1
    with pytest.raises(ValueError, match="grid_step needs a graphon layer"):
        LayerSpec(0.5, False, "bernoulli").grid_step(2, 2)
    with pytest.raises(ValueError, match=r"graphons\[0\] must take values in \[0, 1\]"):
        LayerSpec(mask="graphon", graphon=lambda v, u: 2 * v, name="graphons[0]").kernel_step(3, 3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(prune=1.0), r"prune must lie in \[0, 1\)"),
    (dict(mask="topk"), "mask must be one of"),
    (dict(rescale="yes"), "rescale must be"),
])
def test_bad_layer_specs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LayerSpec(**kwargs)


def test_constant_graphon_spec_has_kernel_mp_now():
    """A constant graphon is the pruned case, so its 50-digit kernel exists and agrees with float64."""
    spec = tc.MLP(depth=2, activation="erf", sigma_w=1.3, sigma_b=0.2, graphons=[0.6, None, 0.3])
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    k, mp = spec.kernel(x), spec.kernel_mp(x.numpy(), dps=40).to_torch()
    assert float(((k.ntk - mp.ntk).abs() / mp.ntk.abs()).max()) < 1e-13
    with pytest.raises(ValueError, match="graphons that are functions"):
        tc.MLP(depth=1, graphons=[lambda v, u: v * u, None]).kernel_mp(x.numpy())
