r"""The full-spectrum coordinate of a sparse network, its random control, and the leakage-safe Pearson weighting.

Per layer (Hoang, Kundu, Liu, Wang, NeurIPS 2023; ``docs/theory/dynamic_sparse_training.md``, metrics as in
:mod:`theorycheck.topology`): the coordinate (Δ_r, λ, Δ_r^IMDB, λ^IMDB) — full-graph Ramanujan gap of the mask,
weighted spectral gap of |W ⊙ M|, and their expansion-weighted IMDB versions — and its L2 norm with undefined
entries set to 0 (the "full-spectrum magnitude").

The **random control** of a layer is a fresh uniformly random mask with exactly the same nnz, carrying the layer's
active |W| values in random order: same density and same weight distribution, random topology.

The authors' analysis code weights the coordinates by |Pearson(accuracy, coordinate)| fitted on the very masks it
then correlates with (in-sample). :func:`held_out_correlation` fits the weights on one set of masks and reports the
correlation on a **disjoint** one, refusing overlapping sets (the leakage guard).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from ..topology import full_spectrum_coordinate, full_spectrum_norm, layer_topology

__all__ = ["COORDINATES", "layer_coordinates", "random_control", "pearson_weights", "weighted_distance",
           "held_out_correlation"]

#: The four entries of a layer's full-spectrum coordinate.
COORDINATES = ("delta_r", "weighted_gap", "imdb_delta_r", "imdb_weighted_gap")


def layer_coordinates(masks: Sequence[torch.Tensor], weights: Sequence[torch.Tensor]) -> list[dict]:
    """Per layer: the full-spectrum coordinate (``None`` where a gate leaves an entry undefined) and its ``norm``.

    Args:
        masks: 0/1 masks, one per layer ([C_out, C_in] or conv [C_out, C_in, k_h, k_w]).
        weights: the layers' weights, same shapes.

    Returns:
        One dict per layer with the keys of :data:`COORDINATES`, ``norm`` and ``nnz``.
    """
    if len(masks) != len(weights):
        raise ValueError(f"masks and weights must have one entry per layer, got {len(masks)} and {len(weights)}")
    out = []
    for m, w in zip(masks, weights):
        m, w = m.detach().cpu(), w.detach().cpu()
        coord = full_spectrum_coordinate(m, _kept_edges(m, w))
        row = {k: (None if v is None else float(v)) for k, v in zip(COORDINATES, coord)}
        row["norm"] = full_spectrum_norm(coord)
        row["nnz"] = int(m.sum())
        out.append(row)
    return out


def _kept_edges(mask: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """|W| with kept connections of weight exactly 0 (new DST connections) set to 1e-300, so the weighted graph has
    the mask's edges and nodes: ``topology.imdb`` filters the isolated nodes of M and of |W ⊙ M| separately and
    then indexes both by M's columns, which misaligns (or raises) when a kept input has all-zero weights. Spectra
    change by ~1e-300 only."""
    w = weight.abs().to(torch.float64)
    return torch.where((mask > 0) & (w == 0), torch.full_like(w, 1e-300), w)


def random_control(mask: torch.Tensor, weight: torch.Tensor, generator: torch.Generator) -> dict:
    """Ramanujan gap Δ_r and weighted gap λ of a fresh random mask with the layer's exact nnz, carrying the layer's
    active |W| values in random order (``None`` where the d_L ≥ 3 gate leaves Δ_r undefined)."""
    m = mask.detach().cpu().reshape(-1)
    w = weight.detach().cpu().reshape(-1).abs().to(torch.float64)
    nnz = int(m.sum())
    idx = torch.randperm(m.numel(), generator=generator)[:nnz]
    vals = w[m > 0][torch.randperm(nnz, generator=generator)]
    cm = torch.zeros_like(m, dtype=torch.float64)
    cw = torch.zeros_like(cm)
    cm[idx] = 1.0
    cw[idx] = vals
    cm = cm.reshape(mask.shape)
    t = layer_topology(cm, _kept_edges(cm, cw.reshape(mask.shape)))
    return {"delta_r": t.delta_r, "weighted_gap": t.weighted_gap}


def _matrix(coords) -> np.ndarray:
    c = np.asarray([[0.0 if (v is None or not math.isfinite(float(v))) else float(v) for v in row] for row in coords],
                   dtype=np.float64)
    if c.ndim != 2 or c.shape[0] < 3:
        raise ValueError(f"coords must be [n_masks ≥ 3, n_coordinates], got shape {c.shape}")
    return c


def pearson_weights(coords, accuracy) -> np.ndarray:
    """w_i = |Pearson(accuracy, coordinate i)| / Σ_j |Pearson(accuracy, coordinate j)| over the given masks (a
    constant coordinate gets weight 0; all-constant: equal weights). The authors' ``itop_tickets_analysis.py``."""
    c = _matrix(coords)
    a = np.asarray(accuracy, dtype=np.float64)
    if a.shape != (c.shape[0],):
        raise ValueError(f"accuracy must have one entry per mask ({c.shape[0]}), got shape {a.shape}")
    r = np.zeros(c.shape[1])
    for i in range(c.shape[1]):
        if c[:, i].std() > 0 and a.std() > 0:
            r[i] = abs(np.corrcoef(c[:, i], a)[0, 1])
    return r / r.sum() if r.sum() > 0 else np.full(c.shape[1], 1.0 / c.shape[1])


def weighted_distance(coords, weights) -> np.ndarray:
    """sqrt(Σ_i w_i c_i²) per mask: the Pearson-weighted L2 norm of its coordinate (undefined entries → 0)."""
    c = _matrix(coords)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (c.shape[1],) or np.any(w < 0):
        raise ValueError(f"weights must be {c.shape[1]} non-negative numbers, got {w}")
    return np.sqrt((c**2) @ w)


def held_out_correlation(coords, accuracy, fit: Sequence[int], evaluate: Sequence[int]) -> float:
    """Pearson(weighted distance, accuracy) on the masks ``evaluate``, with the weights fitted on the masks ``fit``.

    Raises:
        ValueError: when ``fit`` and ``evaluate`` share a mask (the in-sample leakage of the authors' analysis), or
            either holds fewer than 3 masks.
    """
    fit, evaluate = [int(i) for i in fit], [int(i) for i in evaluate]
    shared = sorted(set(fit) & set(evaluate))
    if shared:
        raise ValueError(f"fit and evaluate must be disjoint sets of masks (leakage); both contain {shared[:5]}")
    if len(fit) < 3 or len(evaluate) < 3:
        raise ValueError(f"fit and evaluate need ≥ 3 masks each, got {len(fit)} and {len(evaluate)}")
    c = _matrix(coords)
    a = np.asarray(accuracy, dtype=np.float64)
    w = pearson_weights(c[fit], a[fit])
    d = weighted_distance(c[evaluate], w)
    if d.std() == 0 or a[evaluate].std() == 0:
        return 0.0
    return float(np.corrcoef(d, a[evaluate])[0, 1])
