"""Inputs and networks shared by the claims: seeded Gaussian batches, scikit-learn's digits, quiet pruned networks."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch

__all__ = ["gaussian_inputs", "digits", "quiet_network"]


def gaussian_inputs(seed: int, n: int, d: int, radius: float | None = None) -> torch.Tensor:
    """n i.i.d. N(0, I_d) rows (float64, seeded); with ``radius`` each row is rescaled to that norm (e.g. √d for
    THEORY.md's ‖x‖² = d calibrations, 1 for the unit sphere)."""
    x = torch.randn(n, d, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float64)
    return x if radius is None else x / x.norm(dim=1, keepdim=True) * radius


def digits(n: int) -> tuple[torch.Tensor, np.ndarray]:
    """The first ``n`` scikit-learn digits (shipped with the package, nothing downloaded), rows rescaled to
    ‖x‖² = 64, and their integer labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.data[:n], dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True) * math.sqrt(x.shape[1]), data.target[:n]


def quiet_network(spec: Any, width: int, in_features: int, seed: int, **kwargs: Any):
    """``spec.network(...)`` without the warning about units left with no inputs (expected for sparse masks on
    few input features)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return spec.network(width, in_features, seed=seed, **kwargs)
