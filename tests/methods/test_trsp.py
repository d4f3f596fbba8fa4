"""TRSP (Feng, Wu et al.): the residual model, its penalties and the two-stage procedure on a tiny problem."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.methods.trsp import ResidualMLP, accuracy, train_residual, trsp_prune


def _toy(seed=0, n=96, d=6):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    return x, (x[:, 0] + x[:, 1] > 0).long()


@settings(max_examples=10)
@given(seed=st.integers(0, 1000), blocks=st.lists(st.integers(0, 3), max_size=4))
def test_deleting_blocks_equals_skipping_them(seed, blocks):
    """Deleting block l is exactly h ← h (its residual is dropped); a block with S_l = 0 is the same function."""
    x, _ = _toy(seed)
    m = ResidualMLP(6, 8, 4, 2, seed=seed)
    zeroed = m.without([])
    with torch.no_grad():
        zeroed.scales[list(set(blocks))] = 0.0
    assert torch.allclose(m.without(blocks)(x), zeroed(x), rtol=1e-13, atol=1e-13)
    assert all(r != r for r in (m.without(blocks).residual_ratios(x)[b] for b in blocks))  # NaN for deleted blocks


def test_identity_penalty_drives_the_chosen_blocks_to_the_identity_and_l1_shrinks_s():
    x, y = _toy(1)
    m = ResidualMLP(6, 8, 3, 2, seed=1)
    before = m.residual_ratios(x)[1]
    train_residual(m, x, y, epochs=30, lr=1e-2, batch_size=32, gen=torch.Generator().manual_seed(0), identity=10.0,
                   identity_blocks=[1])
    ratios = m.residual_ratios(x)
    assert ratios[1] < 0.05 * before and ratios[0] > 10 * ratios[1]
    m2 = ResidualMLP(6, 8, 3, 2, seed=1)
    train_residual(m2, x, y, epochs=40, lr=1e-2, batch_size=48, gen=torch.Generator().manual_seed(0), l1=0.5,
                   l1_blocks=[2])
    s = m2.scales.detach().abs()
    assert float(s[2]) < float(s[0]) and float(s[2]) < 0.5


def test_trsp_prunes_distinct_candidates_and_leaves_the_input_model_alone():
    x, y = _toy(2)
    m = ResidualMLP(6, 8, 5, 2, seed=2)
    train_residual(m, x, y, epochs=5, lr=1e-2, gen=torch.Generator().manual_seed(0))
    state = {k: v.clone() for k, v in m.state_dict().items()}
    r = trsp_prune(m, x, y, 2, stage1_epochs=2, stage2_epochs=20, lambda2=10.0, lr=1e-2, candidates=[1, 2, 3])
    assert len(set(r.pruned)) == 2 and set(r.pruned) <= {1, 2, 3}
    assert all(torch.equal(v, m.state_dict()[k]) for k, v in state.items())
    assert [bool(a) for a in r.final.alive] == [b not in r.pruned for b in range(5)]
    assert all(not bool(r.stage1.alive[b]) for b in r.pruned) and bool(r.stage2.alive.all())
    # the identity-forced stage-2 model and the deleted one nearly agree (deletion without retraining)
    assert abs(accuracy(r.final, x, y) - accuracy(r.stage2, x, y)) <= 0.05
    same = trsp_prune(m, x, y, 2, stage1_epochs=2, stage2_epochs=20, lambda2=10.0, lr=1e-2, candidates=[1, 2, 3])
    assert same.pruned == r.pruned and torch.equal(same.final(x), r.final(x))


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_prune=0), r"n_prune must be an integer in \[1, 4\]"),
    (dict(n_prune=5), r"n_prune must be an integer in \[1, 4\]"),
    (dict(n_prune=1, lambda1=-1.0), r"lambda1 must lie in \[0"),
    (dict(n_prune=1, lr=0.0), r"lr must lie in \(0"),
    (dict(n_prune=1, candidates=[7]), r"candidates\[i\] must be an integer in \[0, 3\]"),
])
def test_bad_trsp_arguments(kwargs, match):
    x, y = _toy()
    with pytest.raises(ValueError, match=match):
        trsp_prune(ResidualMLP(6, 4, 4, 2), x, y, stage1_epochs=1, stage2_epochs=1, **kwargs)


def test_bad_model_arguments():
    with pytest.raises(ValueError, match=r"width must be an integer in \[1"):
        ResidualMLP(6, 0, 2, 2)
    with pytest.raises(ValueError, match=r"block must be an integer in \[0, 1\]"):
        ResidualMLP(6, 4, 2, 2).without([2])


@pytest.mark.parametrize("mutate, error, match", [
    (lambda x, y: (x * float("nan"), y), ValueError, r"x must be finite"),
    (lambda x, y: (torch.cat([x, x[:, :1]], dim=1), y), ValueError, r"x must have 6 features"),
    (lambda x, y: (x, y.double()), TypeError, r"y must hold integer class labels in \[0, 1\]"),
    (lambda x, y: (x, y[:10]), ValueError, r"y must have shape \[n\] = \[96\]"),
    (lambda x, y: (x, y + 2), ValueError, r"y must hold class labels in \[0, 1\]"),
    (lambda x, y: (x, y - 1), ValueError, r"y must hold class labels in \[0, 1\]"),
])
def test_trsp_rejects_bad_data(mutate, error, match):
    """NaN inputs used to give NaN scales silently; wrong shapes/dtypes used to give deep torch errors."""
    x, y = _toy()
    x, y = mutate(x, y)
    with pytest.raises(error, match=match):
        trsp_prune(ResidualMLP(6, 4, 4, 2), x, y, 1, stage1_epochs=1, stage2_epochs=1)
    with pytest.raises(error, match=match):
        train_residual(ResidualMLP(6, 4, 4, 2), x, y, epochs=1, gen=torch.Generator().manual_seed(0))


def test_trsp_converts_float32_inputs_to_float64():
    """float32 x is converted explicitly (documented); the run equals the float64 one on the same rounded data."""
    x, y = _toy()
    x32 = x.float()
    m = ResidualMLP(6, 4, 4, 2)
    a = trsp_prune(m, x32, y, 1, stage1_epochs=1, stage2_epochs=1)
    b = trsp_prune(m, x32.double(), y.numpy(), 1, stage1_epochs=1, stage2_epochs=1)
    assert a.pruned == b.pruned and a.scales_stage1 == b.scales_stage1


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(candidates=[1, 1]), ValueError, r"candidates must be distinct block indices, got repeats \[1\]"),
    (dict(candidates=[]), ValueError, r"candidates must name at least n_prune blocks"),
    (dict(candidates=[2], n_prune=2), ValueError, r"n_prune must be an integer in \[1, 1\].*candidates"),
    (dict(candidates=3), TypeError, r"candidates must be a sequence"),
    (dict(seed=2**64), ValueError, r"seed must be an integer in \[0, 18446744073709551615\]"),
    (dict(seed=-1), ValueError, r"seed must be an integer in \[0"),
])
def test_trsp_rejects_bad_candidates_and_seeds(kwargs, error, match):
    x, y = _toy()
    kwargs.setdefault("n_prune", 1)
    with pytest.raises(error, match=match):
        trsp_prune(ResidualMLP(6, 4, 4, 2), x, y, stage1_epochs=1, stage2_epochs=1, **kwargs)


def test_trsp_rejects_a_model_that_is_not_a_residual_mlp():
    x, y = _toy()
    with pytest.raises(TypeError, match=r"model must be a ResidualMLP, got Linear"):
        trsp_prune(torch.nn.Linear(6, 2), x, y, 1)
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 18446744073709551615\]"):
        ResidualMLP(6, 4, 2, 2, seed=2**64)
