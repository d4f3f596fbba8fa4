r"""Graph metrics of pruning masks: Ramanujan gaps, weighted spectral gap, IMDB, NaRC and the full-spectrum
coordinate (docs/theory/topology.md; Hoang et al., NeurIPS 2023 and ICLR 2023).

A layer's mask M (shape [C_out, C_in]; a conv mask [C_out, C_in, k_h, k_w] is unrolled to [C_out, C_in·k_h·k_w]) is
the biadjacency matrix of a bipartite graph with left nodes = inputs and right nodes = outputs; its symmetric
adjacency is A = [[0, Mᵀ], [M, 0]] and the weighted one uses |W ⊙ M| instead of M. Bipartite spectra are symmetric
(±μ), so

* μ₀ is the largest eigenvalue, and
* μ̂ is the **largest non-trivial eigenvalue counted with multiplicity**: the largest magnitude once one pair ±μ₀ is
  removed. The authors' code takes the third of the top-3 |eigenvalues|, which skips −μ₀ and keeps a repeated μ₀
  (a disconnected graph has no spectral gap). A re-implementation that takes ``sorted_abs[1]`` returns μ₀ again
  even for connected graphs; :func:`mu_hat` avoids that pitfall.

Zero-degree nodes are removed before any metric (
docs/theory/topology.md); d_L and d_R are the average left and right degrees
after that. Metrics (``None`` where a gate is not met):

=====================  ==========================================================================================
``delta_r``            √(d_L − 1) + √(d_R − 1) − μ̂   (irregular bipartite Ramanujan gap; needs d_L ≥ 3, d_R > 1)
``delta_s``            2√(μ₀ − 1) − μ̂                  (μ₀ standing in for the degree; same gate)
``ramanujan_regular``  2√(d_avg − 1) − μ̂               (d_avg the average degree of all nodes)
``weighted_gap``       μ₀(|W⊙M|) − μ̂(|W⊙M|)
``imdb``               mean of delta_r, delta_s over the d-left-regular sub-graphs (every left degree held by
                       ≥ 3 inputs, with all outputs); ``expansion_weighted`` multiplies each by
                       max(|L|, |R|)/(|L| + |R| − 1) (the full-spectrum code of §5)
``narc``               [(μ̂²/4 + 1)√(|L||R|) − | |E| − (d_L/dim_out)|L||R| |] / (dim_in·dim_out),
                       |E| = 2 × #edges (the symmetrised edge list of the code)
=====================  ==========================================================================================

Eigenvalues come from the dense solver for graphs of ≤ 1500 nodes and otherwise from ``scipy.sparse.linalg.eigsh``
on each connected component (a seeded start vector, a dense fallback on any ARPACK error), so results are
reproducible, see repeated blocks, and a 4096 × 4096 layer at 1 % density takes about a second per call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sps
import torch
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackError, eigsh

__all__ = [
    "sas_histogram", "histogram_distance", "as_biadjacency", "filter_isolated", "spectrum_top", "mu_hat",
    "LayerTopology", "layer_topology",
    "imdb", "narc", "full_spectrum_norm", "full_spectrum_coordinate",
]

_REL_TOL = 1e-9


def as_biadjacency(mask, weights=None) -> sps.csr_matrix:
    """The [C_out, C_in] biadjacency (conv masks unrolled), as a sparse float64 matrix of M or |W ⊙ M|."""
    m = mask.detach().cpu().numpy() if isinstance(mask, torch.Tensor) else np.asarray(mask)
    if m.ndim == 4:
        m = m.reshape(m.shape[0], -1)
    if m.ndim != 2:
        raise ValueError(f"mask must be 2-D [C_out, C_in] or 4-D [C_out, C_in, k_h, k_w], got shape {m.shape}")
    if not np.all(np.isfinite(m)) or np.any(m < 0):
        raise ValueError("mask must be finite and non-negative (0/1, or multiplicities)")
    if weights is not None:
        w = weights.detach().cpu().numpy() if isinstance(weights, torch.Tensor) else np.asarray(weights)
        w = w.reshape(w.shape[0], -1) if w.ndim == 4 else w
        if w.shape != m.shape:
            raise ValueError(f"weights must have the mask's shape {m.shape}, got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("weights must be finite (they contain NaN or ±inf)")
        had_edges = bool(np.any(m))
        m = np.abs(w) * m
        if had_edges and not np.any(m):
            raise ValueError("weights are zero on every kept connection: the weighted graph |W ⊙ M| has no edges")
    return sps.csr_matrix(m.astype(np.float64))


def filter_isolated(b: sps.csr_matrix, like: sps.csr_matrix | None = None) -> sps.csr_matrix:
    """Drop outputs (rows) and inputs (columns) without edges: those of ``like`` when given (same shape), so that a
    weighted graph |W ⊙ M| keeps the node indexing of its mask M even where a kept weight is exactly 0."""
    ref = b if like is None else like
    if like is not None and like.shape != b.shape:
        raise ValueError(f"like must have the shape {b.shape} of b, got {like.shape}")
    rows = np.flatnonzero(ref.getnnz(axis=1))
    cols = np.flatnonzero(ref.getnnz(axis=0))
    return b[rows][:, cols].tocsr()


def _adjacency(b: sps.csr_matrix) -> sps.csr_matrix:
    return sps.bmat([[None, b.T], [b, None]], format="csr")


_DENSE_MAX = 1500  # graphs (components) up to this many nodes use the dense symmetric eigensolver


def _top_connected(a: sps.csr_matrix, k: int) -> np.ndarray:
    """The k largest-magnitude eigenvalues of a connected symmetric adjacency (any order)."""
    n = a.shape[0]
    if n <= max(_DENSE_MAX, k + 2):
        return np.linalg.eigvalsh(a.toarray())
    # A seeded Gaussian start vector: reproducible, and (unlike the all-ones vector, which lies in the subspace
    # fixed by the graph's automorphisms) it overlaps every eigenvector. Passing v0 also makes the result
    # independent of ARPACK's process-global random state, i.e. of earlier calls.
    last: Exception | None = None
    for seed in (0, 1):
        v0 = np.random.default_rng(seed).standard_normal(n)
        try:
            return eigsh(a, k=min(k, n - 2), which="LM", return_eigenvectors=False, tol=1e-12, v0=v0,
                         ncv=min(n - 1, max(4 * k + 1, 32)))
        except ArpackError as exc:  # ArpackNoConvergence and e.g. "No shifts could be applied"
            last = exc
    if n <= 20_000:
        return np.linalg.eigvalsh(a.toarray())
    raise RuntimeError(f"ARPACK failed on a connected graph of {n} nodes: {last}") from last


def spectrum_top(b: sps.csr_matrix, k: int = 6) -> np.ndarray:
    """The k largest-magnitude eigenvalues of the symmetric adjacency of biadjacency ``b``, by decreasing |·|, each
    counted with its multiplicity (docs/theory/topology.md).

    The spectrum of a graph is the union of its connected components' spectra, so each component is solved on its
    own (dense for ≤ 1500 nodes, else ARPACK from a seeded start vector, with a dense fallback on any ARPACK
    error) and the results are merged: identical blocks contribute repeated eigenvalues, which a single Krylov
    run from a symmetric start vector cannot see.
    """
    a = _adjacency(b)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    if n <= _DENSE_MAX:
        vals = np.linalg.eigvalsh(a.toarray())
    else:
        n_comp, labels = connected_components(a, directed=False)
        if n_comp == 1:
            vals = _top_connected(a, k)
        else:
            order = np.argsort(labels, kind="stable")
            bounds = np.searchsorted(labels[order], np.arange(n_comp + 1))
            parts = []
            for c in range(n_comp):
                idx = order[bounds[c]:bounds[c + 1]]
                parts.append(np.zeros(1) if idx.size == 1 else _top_connected(a[idx][:, idx].tocsr(), k))
            vals = np.concatenate(parts)
    return vals[np.argsort(-np.abs(vals), kind="stable")][:k]


def mu_hat(vals: np.ndarray) -> tuple[float, float]:
    """(μ₀, μ̂) from eigenvalues sorted by |·| (with multiplicity): μ̂ is the largest magnitude left once one trivial
    pair ±μ₀ is removed (docs/theory/topology.md).

    So μ̂ < μ₀ for a connected bipartite graph (never μ₀ again, the ``sorted_abs[1]`` pitfall), and μ̂ = μ₀ when
    μ₀ is repeated: a disconnected graph with two equal components has no spectral gap (two disjoint K₃,₃ give
    μ̂ = 3, as in the authors' code, which takes the third of the top-3 |eigenvalues|).
    """
    vals = np.asarray(vals, dtype=np.float64)
    if vals.size == 0:
        return 0.0, 0.0
    mags = np.abs(vals)
    mu0 = float(mags.max())
    keep = np.ones(vals.size, dtype=bool)
    tol = mu0 * _REL_TOL + 1e-12
    for sign in (1.0, -1.0):  # drop one +μ₀ and one −μ₀ (a bipartite spectrum has both)
        hits = np.flatnonzero(keep & (np.abs(vals - sign * mu0) <= tol))
        if hits.size:
            keep[hits[0]] = False
    if keep.sum() == vals.size:  # no exact ±μ₀ (should not happen): drop the largest
        keep[int(np.argmax(mags))] = False
    rest = mags[keep]
    return mu0, float(rest.max()) if rest.size else 0.0


@dataclass(frozen=True)
class LayerTopology:
    """Metrics of one layer (after removing isolated nodes); gated metrics are ``None``."""

    n_left: int
    n_right: int
    n_edges: int
    d_left: float
    d_right: float
    mu0: float
    mu_hat: float
    delta_r: float | None
    delta_s: float | None
    ramanujan_regular: float | None
    weighted_gap: float | None


def layer_topology(mask, weights=None, *, min_degree: float = 3.0) -> LayerTopology:
    """All full-graph metrics of a layer; ``weights`` (same shape) adds the weighted spectral gap on |W ⊙ M|."""
    wb = None if weights is None else filter_isolated(as_biadjacency(mask, weights))
    return _topology(filter_isolated(as_biadjacency(mask)), wb, min_degree)


def _topology(b: sps.csr_matrix, wb: sps.csr_matrix | None, min_degree: float = 3.0) -> LayerTopology:
    """Metrics of a biadjacency ``b`` (and weighted ``wb``) already free of isolated nodes."""
    n_out, n_in = b.shape
    if b.nnz == 0:
        return LayerTopology(0, 0, 0, 0.0, 0.0, 0.0, 0.0, None, None, None, None)
    edges = float(b.sum())
    d_left, d_right = edges / n_in, edges / n_out
    mu0, mh = mu_hat(spectrum_top(b))
    gated = d_left >= min_degree and d_right > 1
    d_avg = 2 * edges / (n_in + n_out)
    weighted = None
    if wb is not None:
        w0, wh = mu_hat(spectrum_top(wb))
        weighted = w0 - wh
    return LayerTopology(
        n_left=n_in, n_right=n_out, n_edges=int(round(edges)), d_left=d_left, d_right=d_right, mu0=mu0, mu_hat=mh,
        delta_r=math.sqrt(d_left - 1) + math.sqrt(d_right - 1) - mh if gated else None,
        delta_s=2 * math.sqrt(mu0 - 1) - mh if gated and mu0 >= 1 else None,
        ramanujan_regular=2 * math.sqrt(d_avg - 1) - mh if d_avg >= 1 else None,
        weighted_gap=weighted,
    )


def imdb(mask, weights=None, *, min_group: int = 3, expansion_weighted: bool = False,
         min_degree: float = 3.0) -> dict[str, float | None]:
    """Iterative mean over the d-left-regular sub-graphs (inputs grouped by their out-degree, all outputs kept).

    Returns the mean ``delta_r``, ``delta_s`` (and ``weighted_gap`` when ``weights`` are given) over sub-graphs with
    ≥ ``min_group`` inputs where the metric is defined, and ``n_subgraphs`` (docs/theory/topology.md).

    Conventions (options, since the reference codes differ): a sub-graph enters when it has ≥ ``min_group`` inputs
    (3 here; 2 in one reference code) and its Ramanujan gap is gated on the average left degree d_L ≥
    ``min_degree`` with d_R > 1 (the output side: each output of the sub-graph must, on average, see more than one
    input).
    """
    raw = as_biadjacency(mask)
    b = filter_isolated(raw)
    # the weighted graph is indexed like the mask's (a kept weight of exactly 0 must not shift the columns)
    wb = None if weights is None else filter_isolated(as_biadjacency(mask, weights), like=raw)
    deg = np.asarray(b.getnnz(axis=0)).ravel()  # out-degree of each input (column)
    acc: dict[str, list[float]] = {"delta_r": [], "delta_s": [], "weighted_gap": []}
    n_sub = 0
    for d in np.unique(deg):
        cols = np.flatnonzero(deg == d)
        if cols.size < min_group:
            continue
        n_sub += 1
        sub = b[:, cols]
        t = _topology(filter_isolated(sub), None if wb is None else filter_isolated(wb[:, cols], like=sub), min_degree)
        factor = max(t.n_left, t.n_right) / (t.n_left + t.n_right - 1) if expansion_weighted else 1.0
        for key in acc:
            v = getattr(t, key)
            if v is not None:
                acc[key].append(factor * v)
    out: dict[str, float | None] = {k: (float(np.mean(v)) if v else None) for k, v in acc.items()}
    if weights is None:
        out.pop("weighted_gap")
    out["n_subgraphs"] = n_sub
    return out


def narc(mask) -> float:
    """NaRC ``random_bound`` of the ICLR-2023 code: ≤ 0 reads "random graph", > 0 "not random"
    (docs/theory/topology.md)."""
    raw = as_biadjacency(mask)
    dim_out, dim_in = raw.shape
    b = filter_isolated(raw)
    n_r, n_l = b.shape
    if b.nnz == 0:
        raise ValueError("mask has no edges")
    _, mh = mu_hat(spectrum_top(b))
    edges_sym = 2.0 * float(b.sum())  # |E| of a symmetrised edge list: every edge twice
    d_left = float(b.sum()) / n_l
    value = (mh**2 / 4 + 1) * math.sqrt(n_l * n_r) - abs(edges_sym - d_left / dim_out * n_l * n_r)
    return value / (dim_in * dim_out)


def full_spectrum_coordinate(mask, weights) -> tuple[float | None, float | None, float | None, float | None]:
    """(Δ_r, λ, Δ_r^IMDB, λ^IMDB) of a layer (docs/theory/topology.md): full-graph and IMDB Ramanujan gap and
    weighted gap."""
    t = layer_topology(mask, weights)
    i = imdb(mask, weights, expansion_weighted=True)
    return (t.delta_r, t.weighted_gap, i["delta_r"], i["weighted_gap"])


def full_spectrum_norm(coordinate) -> float:
    """L2 norm of the full-spectrum coordinate (Δ_r, λ, Δ_r^IMDB, λ^IMDB) with ∞, NaN and ``None`` set to 0."""
    vals = [0.0 if (v is None or not math.isfinite(float(v))) else float(v) for v in coordinate]
    return math.sqrt(sum(v * v for v in vals))


def sas_histogram(mask, k: int = 64) -> np.ndarray:
    """Sort-and-smooth graphon estimate of a mask (docs/theory/graphon.md, Pham et al. 2025): outputs sorted by
    in-degree and inputs by out-degree (both descending, ties by index), then the mean density of a k × k grid of blocks
    (``np.array_split`` blocks when k does not divide the size). Returns [k, k] with row 0 the densest outputs."""
    b = as_biadjacency(mask).toarray()
    k = int(k)
    if not 1 <= k <= min(b.shape):
        raise ValueError(f"k must lie in [1, {min(b.shape)}] (the smaller side of the mask), got {k}")
    rows = np.argsort(-b.sum(axis=1), kind="stable")
    cols = np.argsort(-b.sum(axis=0), kind="stable")
    s = b[rows][:, cols]
    row_blocks = np.array_split(np.arange(s.shape[0]), k)
    col_blocks = np.array_split(np.arange(s.shape[1]), k)
    return np.array([[s[np.ix_(r, c)].mean() for c in col_blocks] for r in row_blocks])


def histogram_distance(h1: np.ndarray, h2: np.ndarray) -> float:
    """‖H1 − H2‖_F / k, the RMS cell difference of two k × k SAS histograms (the paper's Euclidean proxy for the
    cut distance, normalised so that it does not grow with k)."""
    h1, h2 = np.asarray(h1), np.asarray(h2)
    if h1.shape != h2.shape or h1.ndim != 2:
        raise ValueError(f"histograms must have the same k × k shape, got {h1.shape} and {h2.shape}")
    return float(np.linalg.norm(h1 - h2) / h1.shape[0])
