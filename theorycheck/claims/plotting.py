"""Shared plot for claims whose check is a list of measured values against thresholds or bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["values_vs_bounds"]


def values_vs_bounds(name: str, labels: Sequence[str], values: Sequence[float], *, upper: Sequence[float] | None = None,
                     lower: Sequence[float] | None = None, ylabel: str = "measured", title: str = "",
                     log: bool = False) -> list:
    """One marker per check with its allowed range drawn as a bar (upper and/or lower bound); returns
    ``[(name, figure)]`` for :attr:`theorycheck.claims.Claim.plot`."""
    import matplotlib.pyplot as plt

    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * len(labels) + 2), 4))
    vals = np.asarray(values, dtype=float)
    if upper is not None:
        ax.scatter(x, upper, marker="_", s=400, color="C3", label="bound (upper)")
    if lower is not None:
        ax.scatter(x, lower, marker="_", s=400, color="C2", label="bound (lower)")
    ok = np.ones(len(vals), dtype=bool)
    if upper is not None:
        ok &= vals <= np.asarray(upper, dtype=float)
    if lower is not None:
        ok &= vals >= np.asarray(lower, dtype=float)
    ax.scatter(x[ok], vals[ok], color="C0", zorder=3, label="measured (holds)")
    if (~ok).any():
        ax.scatter(x[~ok], vals[~ok], color="C3", marker="x", s=60, zorder=3, label="measured (violates)")
    if log:
        ax.set_yscale("log")
    ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [(name, fig)]
