"""Shared plot for claims whose check is a list of measured values against thresholds or bands."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["values_vs_bounds", "slope_lines", "loglog_axes"]


def slope_lines(ax, x, err, data: dict, *, label: str = "fit", colour: str = "C1", predicted: float = -0.5) -> None:
    """Draw the fitted power law (``data``'s slope, intercept and 99% half-width) and the predicted slope through
    the geometric centre of the points, on a log-log axis."""
    x, err = np.asarray(x, dtype=float), np.asarray(err, dtype=float)
    grid = np.geomspace(x.min(), x.max(), 50)
    ax.plot(grid, np.exp(data["intercept"]) * grid ** data["slope"], "--", color=colour,
            label=f"{label}: slope {data['slope']:+.3f} ± {data['halfwidth_99']:.3f}")
    anchor, centre = np.exp(np.mean(np.log(err))), np.exp(np.mean(np.log(x)))
    ax.plot(grid, anchor * (grid / centre) ** predicted, ":", color="C3", label=f"predicted slope {predicted:g}")


def loglog_axes(ax, xlabel: str, ylabel: str) -> None:
    """Log-log axes without crowded minor tick labels, with a legend."""
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    lo, hi = ax.get_xlim()
    if hi > 0 and lo > 0 and hi / lo >= 10:
        ax.xaxis.set_minor_formatter(NullFormatter())
    # under one decade no major tick may fall inside: matplotlib's default then labels the minor ticks (16, 32, 64)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


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
