"""The digits workload of the sparse-training claims: scikit-learn digits (shipped, nothing downloaded) and a
He-initialised ReLU MLP (``docs/theory/dynamic_sparse_training.md#checks-planned``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .._validation import check_int, resolve_device
from ..data import digits_arrays

__all__ = ["DigitsSplit", "digits_split", "digits_mlp"]


@dataclass(frozen=True)
class DigitsSplit:
    """Standardised digits: ``x_train`` [n_train, 64], integer ``y_train``, and the test set likewise (float64)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def to(self, device) -> DigitsSplit:
        d = resolve_device(device)
        return DigitsSplit(self.x_train.to(d), self.y_train.to(d), self.x_test.to(d), self.y_test.to(d))


def _digits() -> tuple[np.ndarray, np.ndarray]:
    pixels, _, target = digits_arrays()
    return pixels, target


def digits_split(n_test: int = 360, seed: int = 0) -> DigitsSplit:
    """All 1797 scikit-learn digits split at random into 1797 − ``n_test`` training and ``n_test`` test images, each
    pixel standardised with the training mean and standard deviation (constant pixels: divided by 1).

    Args:
        n_test: test-set size, in [1, 1796].
        seed: seed of the split.

    Returns:
        The :class:`DigitsSplit` (CPU, float64 inputs, int64 labels).

    Raises:
        ValueError: for ``n_test`` out of range.
    """
    x, target = _digits()
    n = len(target)
    n_test = check_int("n_test", n_test, minimum=1, maximum=n - 1)
    perm = np.random.default_rng(check_int("seed", seed, minimum=0)).permutation(n)
    te, tr = perm[:n_test], perm[n_test:]
    mean, std = x[tr].mean(axis=0), x[tr].std(axis=0)
    std[std == 0] = 1.0
    x = (x - mean) / std
    t = torch.tensor
    return DigitsSplit(t(x[tr]), t(target[tr]), t(x[te]), t(target[te]))


def digits_mlp(widths: tuple[int, ...] = (64, 128, 128, 10), seed: int = 0, device="cpu") -> nn.Sequential:
    """A ReLU MLP ``widths[0] → … → widths[-1]`` (float64) with He-normal weights N(0, 2/fan_in) and zero biases.

    Args:
        widths: layer widths, input first (at least two entries, each ≥ 1).
        seed: seed of a CPU ``torch.Generator`` for the weights.
        device: torch device of the returned model.

    Raises:
        ValueError: for fewer than two widths or a width < 1.
    """
    widths = tuple(widths)
    if len(widths) < 2:
        raise ValueError(f"widths must list at least an input and an output width, got {widths}")
    widths = tuple(check_int("widths", w, minimum=1) for w in widths)
    gen = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        lin = nn.Linear(a, b, dtype=torch.float64)
        with torch.no_grad():
            lin.weight.copy_(torch.randn(b, a, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / a))
            lin.bias.zero_()
        layers.append(lin)
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers).to(resolve_device(device))
