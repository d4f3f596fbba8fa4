"""nn.training.minibatches: one epoch's shuffled index batches, seeded, with or without the short last batch."""

import torch

from theorycheck.nn.training import minibatches


def test_minibatches_cover_a_seeded_permutation():
    batches = list(minibatches(10, 4, torch.Generator().manual_seed(3)))
    assert [len(b) for b in batches] == [4, 4, 2]
    flat = torch.cat(batches)
    assert torch.equal(flat, torch.randperm(10, generator=torch.Generator().manual_seed(3)))
    assert sorted(flat.tolist()) == list(range(10))


def test_minibatches_drop_last_keeps_equal_sizes():
    batches = list(minibatches(10, 4, torch.Generator().manual_seed(3), drop_last=True))
    assert [len(b) for b in batches] == [4, 4]
    assert list(minibatches(3, 4, torch.Generator().manual_seed(0), drop_last=True)) == []
