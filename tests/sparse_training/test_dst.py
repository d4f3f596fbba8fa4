"""SET/RigL mask updates keep nnz exactly; pruned and new weights and optimiser state stay zero
(docs/theory/dynamic_sparse_training.md#update-rules)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from theorycheck.masks.pai import random_masks
from theorycheck.sparse_training import (
    CosineDropSchedule,
    SparseTrainer,
    bernoulli_regrow,
    drop_and_grow,
    magnitude_drop,
)


def _layer(seed, shape, density):
    g = torch.Generator().manual_seed(seed)
    mask = (torch.rand(shape, generator=g, dtype=torch.float64) < density).to(torch.float64)
    w = torch.randn(shape, generator=g, dtype=torch.float64) * mask
    return w, mask, g


@given(seed=st.integers(0, 10**6), rows=st.integers(2, 20), cols=st.integers(2, 20),
       density=st.floats(0.05, 0.95), frac=st.floats(0.0, 1.0), rigl=st.booleans())
def test_drop_and_grow_preserves_nnz_and_follows_the_rules(seed, rows, cols, density, frac, rigl):
    w, mask, g = _layer(seed, (rows, cols), density)
    nnz = int(mask.sum())
    k = int(frac * nnz)
    score = torch.randn((rows, cols), generator=g, dtype=torch.float64) if rigl else None
    new, dropped, grown = drop_and_grow(w, mask, k, grow_score=score, generator=g)
    assert int(new.sum()) == nnz and len(dropped) == len(grown) == k
    flat_m, flat_w = mask.reshape(-1), w.reshape(-1).abs()
    assert bool((flat_m[dropped] == 1).all())
    kept = torch.ones_like(flat_m, dtype=torch.bool)
    kept[dropped] = False
    kept &= flat_m > 0
    if k and kept.any():  # every dropped |W| ≤ every surviving |W|
        assert float(flat_w[dropped].max()) <= float(flat_w[kept].min())
    after = flat_m.clone()
    after[dropped] = 0
    assert bool((after[grown] == 0).all())  # grown among the positions inactive after the drop
    if rigl and k:
        candidates = after == 0
        rest = candidates.clone()
        rest[grown] = False
        if rest.any():
            assert float(score.reshape(-1).abs()[grown].min()) >= float(score.reshape(-1).abs()[rest].max())


def test_drop_is_magnitude_and_k_is_validated():
    w = torch.tensor([[0.5, -0.1, 0.0], [2.0, -0.3, 0.05]], dtype=torch.float64)
    m = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.float64)
    after, dropped = magnitude_drop(w, m, 2, generator=torch.Generator().manual_seed(0))
    assert sorted(dropped.tolist()) == [1, 5]  # |−0.1| and |0.05|, never the inactive position 2
    with pytest.raises(ValueError, match="k"):
        drop_and_grow(w, m, 6, generator=torch.Generator())
    with pytest.raises(ValueError, match="shape"):
        drop_and_grow(w, m[:, :2], 1, generator=torch.Generator())


def test_bernoulli_growth_is_k_only_in_expectation():
    """The sparselearning growth: the count grown is Binomial(#zeros, k/#zeros): mean k, almost never exactly k."""
    _, mask, g = _layer(0, (64, 64), 0.1)
    k = 150
    counts = np.array([int(bernoulli_regrow(mask, k, g).sum() - mask.sum()) for _ in range(400)])
    zeros = int((mask == 0).sum())
    se = np.sqrt(k * (1 - k / zeros) / len(counts))
    assert abs(counts.mean() - k) < 4 * se
    assert np.mean(counts != k) > 0.9


class _ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 3, dtype=torch.float64)
        self.fc = nn.Linear(6 * 4 * 4, 3, dtype=torch.float64)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


@settings(max_examples=10)
@given(seed=st.integers(0, 10**5), method=st.sampled_from(["set", "rigl"]), adam=st.booleans())
def test_trainer_invariants_hold_after_every_update(seed, method, adam):
    torch.manual_seed(seed)
    model = _ConvNet()
    masks = random_masks(model, 0.3, kind="exact", seed=seed)
    opt = torch.optim.Adam(model.parameters(), lr=0.01) if adam else torch.optim.SGD(model.parameters(), lr=0.05,
                                                                                     momentum=0.9)
    trainer = SparseTrainer(model, opt, masks, method=method, schedule=CosineDropSchedule(0.4, 3, 20), seed=seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, 2, 6, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (16,), generator=g)
    for _ in range(24):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        trainer.step()
    assert len(trainer.updates) == 6  # steps 3, 6, …, 18 (none after T_end = 20)
    for u in trainer.updates:
        assert u.nnz_after == u.nnz_initial == u.nnz_before
        assert max(u.max_pruned_weight_before + u.max_pruned_weight_after) == 0.0
        assert max(u.max_pruned_state_before + u.max_new_weight + u.max_new_state) == 0.0
        assert u.k == [trainer.schedule.n_drop(u.step, n) for n in u.nnz_before]
    for p, m in zip(trainer.params, trainer.masks):
        assert float((p.detach() * (1 - m)).abs().max()) == 0.0
        for s in opt.state[p].values():
            if isinstance(s, torch.Tensor) and s.shape == p.shape:
                assert float((s * (1 - m)).abs().max()) == 0.0
    assert sum(sum(u.n_new) for u in trainer.updates) > 0  # the topology did change


def test_a_broken_invariant_is_recorded_not_hidden():
    """Sanity: put a nonzero weight at a pruned position; the next update's record reports it."""
    model = nn.Sequential(nn.Linear(8, 8, dtype=torch.float64))
    masks = random_masks(model, 0.5, kind="exact", seed=0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    trainer = SparseTrainer(model, opt, masks, method="set", schedule=CosineDropSchedule(0.3, 1, 5))
    with torch.no_grad():
        model[0].weight[masks[0] == 0] = 0.7
    rec = trainer.update()
    assert rec.max_pruned_weight_before[0] == pytest.approx(0.7)


def test_trainer_validates_its_arguments():
    model = nn.Sequential(nn.Linear(4, 3, dtype=torch.float64))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    masks = random_masks(model, 0.5, seed=0)
    sched = CosineDropSchedule(0.3, 2, 10)
    with pytest.raises(ValueError, match="method"):
        SparseTrainer(model, opt, masks, method="prune-everything", schedule=sched)
    with pytest.raises(ValueError, match="schedule"):
        SparseTrainer(model, opt, masks, method="rigl")
    with pytest.raises(TypeError, match="schedule"):
        SparseTrainer(model, opt, masks, method="set", schedule=(0.3, 2, 10))
    with pytest.raises(ValueError, match="one mask per prunable layer"):
        SparseTrainer(model, opt, masks + masks, method="set", schedule=sched)
    with pytest.raises(ValueError, match="shape"):
        SparseTrainer(model, opt, [torch.ones(3, 3)], method="set", schedule=sched)
    with pytest.raises(ValueError, match="only 0 and 1"):
        SparseTrainer(model, opt, [torch.full((3, 4), 0.5)], method="set", schedule=sched)
    with pytest.raises(TypeError, match="model"):
        SparseTrainer("model", opt, masks, method="set", schedule=sched)
    with pytest.raises(ValueError, match="seed"):
        SparseTrainer(model, opt, masks, method="set", schedule=sched, seed=-1)
