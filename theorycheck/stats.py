"""Small statistics used by the claims and the simulations: least-squares log-log slopes with standard errors and
t-intervals, and chunked Monte Carlo means with their standard errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SlopeFit", "chunked_mean", "loglog_fit", "relative_frobenius"]


@dataclass(frozen=True)
class SlopeFit:
    """Ordinary least squares fit log y = intercept + slope · log x."""

    slope: float
    intercept: float
    stderr: float
    n: int

    @property
    def df(self) -> int:
        return self.n - 2

    def halfwidth(self, level: float = 0.99) -> float:
        """Half-width of the two-sided ``level`` confidence interval of the slope (Student t, n − 2 dof)."""
        from scipy import stats as _st  # imported on use: listing claims does not pay for scipy

        return float(_st.t.ppf(0.5 + level / 2.0, self.df)) * self.stderr

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.exp(self.intercept) * np.asarray(x, dtype=float) ** self.slope


def loglog_fit(x, y) -> SlopeFit:
    """Fit log y against log x by least squares; every x, y must be positive and there must be ≥ 3 points."""
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    if lx.shape != ly.shape or lx.ndim != 1:
        raise ValueError(f"x and y must be 1-D of equal length, got {lx.shape} and {ly.shape}")
    if lx.size < 3:
        raise ValueError(f"loglog_fit needs at least 3 points, got {lx.size}")
    if not (np.isfinite(lx).all() and np.isfinite(ly).all()):
        raise ValueError("loglog_fit needs positive, finite x and y")
    from scipy import stats as _st

    res = _st.linregress(lx, ly)
    return SlopeFit(float(res.slope), float(res.intercept), float(res.stderr), int(lx.size))


def relative_frobenius(estimate, reference) -> float:
    """‖estimate − reference‖_F / ‖reference‖_F."""
    ref = float(np.linalg.norm(np.asarray(reference)))
    if ref == 0.0 or not math.isfinite(ref):
        raise ValueError("reference must have a finite, non-zero Frobenius norm")
    return float(np.linalg.norm(np.asarray(estimate) - np.asarray(reference))) / ref


def chunked_mean(draw: Callable[[int], Any], samples: int, chunk: int) -> tuple[float, float]:
    """Monte Carlo mean of ``samples`` i.i.d. values drawn ``chunk`` at a time, and its standard error.

    Args:
        draw: ``draw(b)`` returns b fresh values (a tensor or array with ``.sum()``); called in order, so a seeded
            generator inside it makes the result reproducible.
        samples: total number of values (≥ 2).
        chunk: values per call (memory only; ≥ 1).

    Returns:
        ``(mean, standard error)``, the error from the unbiased sample variance: √(s²/n).
    """
    total, total_sq, done = 0.0, 0.0, 0
    while done < samples:
        b = min(chunk, samples - done)
        values = draw(b)
        total += float(values.sum())
        total_sq += float((values**2).sum())
        done += b
    mean = total / samples
    var = max(total_sq / samples - mean**2, 0.0) * samples / (samples - 1)
    return mean, math.sqrt(var / samples)
