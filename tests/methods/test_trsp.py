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
