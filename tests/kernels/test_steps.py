"""Kernel steps: the masking conventions in one place, step validation, and a replaceable first step."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import theorycheck as tc
from theorycheck.kernels.recursion import mlp_kernels
from theorycheck.kernels.steps import GraphonStep, KernelStep, LayerState, MaskScaling, check_steps

U = 2.0**-53


def _x(seed, n=6, d=5):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@given(q=st.floats(1e-6, 1.0))
def test_mask_scaling_gives_the_three_conventions_exactly(q):
    """No rescaling: (q, q, q); architectural (A): (1, 1, 1); value rescaling (B): (1, q, 1) — every q/q is 1."""
    assert MaskScaling(q, False).step() == (q, q, q)
    assert MaskScaling(q, True).step() == (1.0, 1.0, 1.0)
    assert MaskScaling(q, "weights").step() == (1.0, q, 1.0)
    assert MaskScaling().step() == KernelStep() == (1.0, 1.0, 1.0)
    # the finite layer's two knobs: scale σ_w/√(φ_fan·fan_in), initial kept weights N(0, 1/π_w)
    assert (MaskScaling(q, True).fan_factor, MaskScaling(q, True).weight_precision) == (q, 1.0)
    assert (MaskScaling(q, "weights").fan_factor, MaskScaling(q, "weights").weight_precision) == (1.0, q)


@pytest.mark.parametrize("kwargs, match", [
    (dict(keep=1.5), r"keep must be a keep probability in \[0, 1\]"),
    (dict(keep=float("nan")), "keep must be"),
    (dict(keep=0.0, rescale=True), "keep must be > 0"),
    (dict(keep=0.5, rescale="yes"), "rescale must be False, True or 'weights'"),
    (dict(keep=0.5, rescale=1), "rescale must be"),
])
def test_bad_mask_scaling(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MaskScaling(**kwargs)


def test_check_steps_accepts_tuples_and_tensors_and_rejects_bad_chains():
    steps = check_steps([(0.5, 0.5, 0.5), KernelStep()], 1)
    assert steps == [KernelStep(0.5, 0.5, 0.5), KernelStep()]
    g = check_steps([torch.ones(4, 3), torch.ones(4, 4), torch.ones(1, 4)], 2)
    assert all(isinstance(s, GraphonStep) for s in g) and [s.k_out for s in g] == [4, 4, 1]
    with pytest.raises(ValueError, match="depth \\+ 1 = 3 entries"):
        check_steps([KernelStep()], 2)
    with pytest.raises(ValueError, match="reads 1 positions but steps\\[0\\] gives 4"):
        check_steps([torch.ones(4, 3), KernelStep()], 1)
    with pytest.raises(ValueError, match="one output position"):
        check_steps([torch.ones(4, 3), torch.ones(2, 4)], 1)
    with pytest.raises(TypeError, match="steps\\[1\\] must be"):
        check_steps([KernelStep(), "dense"], 1)
    with pytest.raises(ValueError, match="pass steps or factors"):
        mlp_kernels(_x(0), None, depth=0, sigma_w=1.0, sigma_b=0.0, expect=tc.get_activation("relu").expectations(),
                    steps=[KernelStep()], factors=[KernelStep()])


@pytest.mark.parametrize("act", ["relu", "erf", "tanh"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_start_state_continues_the_recursion(act, k):
    """Σ^{(k)}, Θ^{(k)} of hidden layer k are the NNGP/NTK of the first k − 1 hidden layers' network; handing them
    to the engine as a start state with the steps of matrices k..L gives the full network's kernels."""
    x, y = _x(0, n=8), _x(1, n=5)
    e = tc.get_activation(act).expectations(16)
    steps = [KernelStep(0.7, 0.7, 0.7), KernelStep(1.0, 0.4, 1.0), KernelStep(), KernelStep(0.5, 0.5, 0.5)]
    kw = dict(sigma_w=1.3, sigma_b=0.2, expect=e)
    for x2 in (None, y):
        full = mlp_kernels(x, x2, depth=3, steps=steps, **kw)
        s, t = mlp_kernels(x, x2, depth=k - 1, steps=steps[:k], **kw)
        va = mlp_kernels(x, None, depth=k - 1, steps=steps[:k], **kw)[0].diagonal()
        vb = None if x2 is None else mlp_kernels(y, None, depth=k - 1, steps=steps[:k], **kw)[0].diagonal()
        out = mlp_kernels(None, None, depth=3, steps=steps, start=LayerState(k, s, t, va, vb), **kw)
        for o, f in zip(out, full):
            assert float((o - f).abs().max() / f.abs().max()) <= 64 * U
        if x2 is None:
            assert torch.equal(out[0], out[0].T)


def test_start_state_with_positions():
    """A graphon start state [K, n, n] at layer 1 reproduces the graphon kernels of the same steps."""
    x = _x(2, n=6, d=4)
    k = 5
    w_in = 0.2 + 0.7 * torch.rand(k, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    steps = [GraphonStep(w_in), GraphonStep(torch.full((k, k), 0.6, dtype=torch.float64)),
             GraphonStep(torch.ones(1, k, dtype=torch.float64))]
    e = tc.get_activation("relu").expectations()
    kw = dict(depth=2, sigma_w=1.4, sigma_b=0.1, expect=e)
    full = mlp_kernels(x, None, steps=steps, **kw)
    w = steps[0].values
    s1 = 1.4**2 * torch.einsum("vj,aj,bj->vab", w, x, x) / 4 + 0.01
    out = mlp_kernels(None, None, steps=steps, start=LayerState(1, s1, s1.clone(), s1.diagonal(dim1=1, dim2=2)), **kw)
    for o, f in zip(out, full):
        assert float((o - f).abs().max() / f.abs().max()) <= 64 * U


def test_start_state_at_the_output_returns_it():
    s = torch.eye(3, dtype=torch.float64) + 0.5
    out = mlp_kernels(None, None, depth=2, sigma_w=1.0, sigma_b=0.0, expect=tc.get_activation("relu").expectations(),
                      start=LayerState(3, s, 2 * s, s.diagonal()))
    assert torch.equal(out[0], s) and torch.equal(out[1], 2 * s)


@pytest.mark.parametrize("state, match", [
    (LayerState(0, torch.eye(2), torch.eye(2), torch.ones(2)), r"start.layer must be an integer in \[1, 3\]"),
    (LayerState(4, torch.eye(2), torch.eye(2), torch.ones(2)), r"start.layer must be an integer in \[1, 3\]"),
    (LayerState(1, torch.eye(2), torch.eye(3), torch.ones(2)), "start: nngp/ntk must be"),
    (LayerState(1, torch.ones(2, 3), torch.ones(2, 3), torch.ones(2)), "start: nngp/ntk must be"),
    (LayerState(1, torch.ones(4, 2, 2), torch.ones(4, 2, 2), torch.ones(4, 2)), "start has 4 positions"),
])
def test_bad_start_states(state, match):
    with pytest.raises(ValueError, match=match):
        mlp_kernels(None, None, depth=2, sigma_w=1.0, sigma_b=0.0, expect=tc.get_activation("relu").expectations(),
                    start=state)
