"""Data sets of the architecture family (
``docs/theory/architectures.md``): scikit-learn's digits, nothing downloaded."""

from __future__ import annotations

import math

import torch

from .._validation import check_int
from ..data import digits_arrays

__all__ = ["centred_digits"]


def centred_digits(seed: int, n_train: int, n_test: int = 0) -> dict[str, torch.Tensor]:
    """A seeded random split of scikit-learn's 1797 digits, feature-centred (over all 1797) and rescaled to ‖x‖² = 64.

    With ‖x‖² = d the ReLU stem of a σ_w = √2 :class:`theorycheck.CellNet` has a unit-diagonal output Gram, the
    paper's normalisation of K^{(0)}.

    Args:
        seed: seed of the split (a CPU ``torch.Generator``).
        n_train: training points (≥ 1).
        n_test: test points (≥ 0); n_train + n_test ≤ 1797.

    Returns:
        ``{"x_train" [n_train, 64], "labels_train" [n_train] (int), "y_train" [n_train, 10] (one-hot minus 1/10),
        "x_test", "labels_test"}``.

    Raises:
        ValueError: sizes out of range.
    """
    pixels, _, target = digits_arrays()
    total = len(target)
    n_train = check_int("n_train", n_train, minimum=1, maximum=total)
    n_test = check_int("n_test", n_test, minimum=0, maximum=total - n_train)
    x = torch.tensor(pixels, dtype=torch.float64)
    x = x - x.mean(dim=0)
    x = x / x.norm(dim=1, keepdim=True) * math.sqrt(x.shape[1])
    labels = torch.tensor(target, dtype=torch.long)
    perm = torch.randperm(total, generator=torch.Generator().manual_seed(int(seed)))
    tr, te = perm[:n_train], perm[n_train:n_train + n_test]
    y = torch.nn.functional.one_hot(labels[tr], 10).double() - 0.1
    return {"x_train": x[tr], "labels_train": labels[tr], "y_train": y, "x_test": x[te], "labels_test": labels[te]}
