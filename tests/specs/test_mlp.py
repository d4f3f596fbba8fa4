"""The MLP spec (theorycheck/specs/mlp.py): argument validation."""

import pytest
import torch

import theorycheck as tc


def test_seeds_are_validated_as_64_bit_seeds():
    """Issue 10: seeds go through check_seed (integers in [0, 2⁶⁴ − 1]), with the parameter named."""
    with pytest.raises(ValueError, match="input_layer_seed"):
        tc.MLP(1, input_layer_seed=2**64)
    spec = tc.MLP(1, prune=0.5)
    with pytest.raises(ValueError, match="seed"):
        spec.network(4, 3, seed=2**64)
    with pytest.raises(ValueError, match="seed"):
        spec.network(4, 3, seed=-1)
    a, b = spec.network(4, 3, seed=2**64 - 1), spec.network(4, 3, seed=2**64 - 1)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
