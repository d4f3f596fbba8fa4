"""Workloads of the sparse-method claims."""

import numpy as np
import pytest

from theorycheck.methods.data import digits_split, planted_classification, random_subsets_accuracy, svc_accuracy


def test_digits_split_is_seeded_scaled_and_stratified():
    a, b = digits_split(3), digits_split(3)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    xtr, ytr, xte, yte = a
    assert xtr.shape[1] == 64 and len(xtr) + len(xte) == 1797 and 0 <= xtr.min() and xtr.max() <= 1
    assert set(np.unique(yte)) == set(range(10))


def test_planted_features_carry_the_signal():
    xtr, ytr, xte, yte = planted_classification(0, 1000, 30, 3)
    assert xtr.shape == (800, 30) and xtr.min() == pytest.approx(0) and xtr.max() == pytest.approx(1)
    planted = svc_accuracy(xtr, ytr, xte, yte, [0, 1, 2])
    noise = svc_accuracy(xtr, ytr, xte, yte, [20, 21, 22])
    assert planted > noise + 0.2  # noise features hold no signal: accuracy near 1/2
    assert len(random_subsets_accuracy(xtr, ytr, xte, yte, 3, 2, seed=0)) == 2


def test_bad_workload_arguments():
    with pytest.raises(ValueError, match=r"informative must be an integer in \[1, 5\]"):
        planted_classification(0, 100, 10, 6)
    with pytest.raises(ValueError, match="test_size must lie in"):
        digits_split(0, test_size=1.0)
