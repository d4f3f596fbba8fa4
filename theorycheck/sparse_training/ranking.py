r"""Ranking pruning-at-initialisation methods by mask graph metrics (Hoang, Liu, Marculescu, Wang, ICLR 2023;
``docs/theory/pai_metrics.md``).

* :func:`pai_masks`: the five methods Rand (uniform per-layer density), ERK, SNIP, GraSP and SynFlow at one global
  density, from the generators of :mod:`theorycheck.masks.pai`.
* :func:`mask_metrics`: per layer, the irregular bipartite Ramanujan gap Δ_r (full graph, defined where d_L ≥ 3),
  IMDB (the unweighted mean of Δ_r over the d-left-regular sub-graphs, as the ICLR code's ``irm``), the weighted
  gap λ of |W ⊙ M| and the layer's density; then each averaged over the layers where it is defined.
* :func:`rank_correlation`: for each density, the Spearman ρ over methods between the method-mean metric and the
  method-mean test accuracy, averaged over densities; :func:`bootstrap_rank_correlation` resamples the seeds
  (jointly for all methods and densities, since a seed fixes the init) for a percentile interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_real
from ..masks.pai import grasp_masks, prunable_parameters, random_masks, snip_masks, synflow_masks
from ..topology import imdb, layer_topology

__all__ = ["PAI_METHODS", "RANK_METRICS", "pai_masks", "mask_metrics", "rank_correlation",
           "bootstrap_rank_correlation"]

PAI_METHODS = ("rand", "erk", "snip", "grasp", "synflow")
RANK_METRICS = ("delta_r", "imdb", "weighted_gap")


class _Tempered(nn.Module):
    """``model(x) / T``: GraSP's temperature on the logits (the Synaptic-Flow code uses T = 200)."""

    def __init__(self, model: nn.Module, temperature: float) -> None:
        super().__init__()
        self.model, self.temperature = model, temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


def pai_masks(method: str, model: nn.Module, density: float, x: torch.Tensor | None = None,
              y: torch.Tensor | None = None, *, seed: int = 0, grasp_temperature: float = 200.0,
              synflow_iterations: int = 100) -> list[torch.Tensor]:
    """Masks of one PaI method at global ``density`` (one 0/1 mask per Linear/Conv2d weight, module order).

    Args:
        method: ``"rand"`` (exact uniform per-layer density), ``"erk"`` (exact, ERK densities), ``"snip"`` (global
            top-k |θ ⊙ ∂L/∂θ| on (x, y)), ``"grasp"`` (global top-k θ ⊙ Hg on the logits divided by
            ``grasp_temperature``) or ``"synflow"`` (``synflow_iterations`` rounds, data-free).
        model: the network at initialisation.
        density: global density in (0, 1].
        x, y: the batch for SNIP and GraSP.
        seed: seed of the random methods.
        grasp_temperature: GraSP's logit temperature (> 0).
        synflow_iterations: SynFlow's number of pruning rounds (≥ 1).

    Raises:
        ValueError: for an unknown method, or SNIP/GraSP without a batch.
    """
    if method not in PAI_METHODS:
        raise ValueError(f"method must be one of {', '.join(PAI_METHODS)}, got {method!r}")
    if method == "rand":
        return random_masks(model, density, distribution="uniform", kind="exact", seed=seed)
    if method == "erk":
        return random_masks(model, density, distribution="erk", kind="exact", seed=seed)
    if method == "synflow":
        return synflow_masks(model, density, iterations=synflow_iterations)
    if x is None or y is None:
        raise ValueError(f"method {method!r} needs a batch x, y")
    if method == "snip":
        return snip_masks(model, density, x, y)
    t = check_real("grasp_temperature", grasp_temperature, minimum=0.0, min_inclusive=False)
    return grasp_masks(_Tempered(model, t), density, x, y)


def _mean(values: Sequence[float | None]) -> float:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(vals)) if vals else math.nan


def mask_metrics(masks: Sequence[torch.Tensor], weights: Sequence[torch.Tensor]) -> dict:
    """Per-layer Δ_r, IMDB, λ and density, and their means over the layers where each is defined (NaN if none).

    Returns:
        ``{"layers": [dict per layer], "delta_r", "imdb", "weighted_gap": layer means, "densities": [...]}``.
    """
    layers = []
    for m, w in zip(masks, weights):
        m, w = m.detach().cpu(), w.detach().cpu()
        t = layer_topology(m, w) if m.sum() > 0 else None
        layers.append({"delta_r": None if t is None else t.delta_r,
                       "imdb": None if t is None else imdb(m)["delta_r"],
                       "weighted_gap": None if t is None else t.weighted_gap,
                       "density": float(m.sum()) / m.numel(), "nnz": int(m.sum())})
    out = {k: _mean([ly[k] for ly in layers]) for k in RANK_METRICS}
    return {"layers": layers, **out, "densities": [ly["density"] for ly in layers]}


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
        return math.nan
    return float(spearmanr(a[ok], b[ok]).statistic)


def rank_correlation(metric: np.ndarray, accuracy: np.ndarray) -> tuple[float, list[float]]:
    """Mean over densities of Spearman ρ(method-mean metric, method-mean accuracy).

    Args:
        metric: [density, method, seed] (NaN where undefined; a method undefined in every seed drops out there).
        accuracy: [density, method, seed].

    Returns:
        (mean ρ over the densities where ρ is defined (≥ 3 methods), ρ per density).
    """
    metric, accuracy = np.asarray(metric, dtype=float), np.asarray(accuracy, dtype=float)
    if metric.shape != accuracy.shape or metric.ndim != 3:
        raise ValueError(f"metric and accuracy must both be [density, method, seed], got {metric.shape} and "
                         f"{accuracy.shape}")
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            m, a = np.nanmean(metric, axis=2), np.nanmean(accuracy, axis=2)
    per = [_spearman(m[i], a[i]) for i in range(m.shape[0])]
    defined = [r for r in per if math.isfinite(r)]
    return (float(np.mean(defined)) if defined else math.nan), per


def bootstrap_rank_correlation(metric: np.ndarray, accuracy: np.ndarray, *, resamples: int = 1000, seed: int = 0,
                               level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of :func:`rank_correlation` over bootstrap resamples of the seeds (the same resampled
    seeds for every method and density)."""
    resamples = check_int("resamples", resamples, minimum=1)
    level = check_real("level", level, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    metric, accuracy = np.asarray(metric, dtype=float), np.asarray(accuracy, dtype=float)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    n = metric.shape[2]
    vals = []
    for _ in range(resamples):
        idx = rng.integers(0, n, size=n)
        r, _ = rank_correlation(metric[:, :, idx], accuracy[:, :, idx])
        if math.isfinite(r):
            vals.append(r)
    if not vals:
        return math.nan, math.nan
    lo, hi = np.quantile(vals, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def n_prunable(model: nn.Module) -> int:
    """Total number of prunable weights (Linear/Conv2d)."""
    return sum(p.numel() for _, p in prunable_parameters(model))
