r"""The activation-pattern linear reformulation of a two-layer scalar-output ReLU network, as a matrix-free operator.

A network ŷ = Σ_j (X u_j)_+ v_j with fixed "generator" vectors h_j and fused weights w_j = u_j v_j is linear in w:

    ŷ = A w,    A = [D_1 X, …, D_p X] ∈ R^{n×dp},    D_j = diag(1[X h_j ≥ 0]),

and equals the network exactly when h_j = u_j (then (X u_j)_+ v_j = D_j X u_j v_j). Fridovich-Keil & Pilanci,
"A Recovery Guarantee for Sparse Neural Networks" (arXiv 2509.20323, §2); docs ``docs/theory/iht_recovery.md``.

:class:`ActivationPatternOperator` never forms A: a product needs only X and the 0/1 pattern columns of the blocks it
touches, and the patterns of random generators are regenerated from ``(seed, chunk)`` on demand, so the operator
itself holds O(nd + (number of overridden generators)·d) numbers. The flat index of weight k of block j is j·d + k.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from .._validation import check_int

__all__ = ["ActivationPatternOperator", "relu_network", "fused_weights", "flat_index"]


def relu_network(x: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The two-layer network output ŷ = Σ_j (x u_j)_+ v_j, computed directly (the independent route).

    Args:
        x: inputs, shape [n, d].
        u: hidden weights, shape [d, m] (column j is u_j).
        v: output weights, shape [m].

    Returns:
        ŷ, shape [n].
    """
    return np.maximum(x @ u, 0.0) @ v


def fused_weights(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The fused flat weight vector w with block j equal to u_j·v_j (length d·m, index j·d + k)."""
    return (u * v[None, :]).T.ravel()


def flat_index(block: np.ndarray, feature: np.ndarray, d: int) -> np.ndarray:
    """Flat index j·d + k of weight ``feature`` k in block ``block`` j."""
    return np.asarray(block, dtype=np.int64) * d + np.asarray(feature, dtype=np.int64)


class ActivationPatternOperator:
    r"""A = [D_1 X, …, D_p X] as matvec/rmatvec from X and the 0/1 activation patterns (never materialised).

    Generators: h_j for block j is ``overrides[j]`` when given, else a standard normal vector regenerated on demand
    from ``(seed, j // chunk)`` (so random generators cost no memory). Pattern j is 1[X h_j ≥ 0].

    Args:
        x: inputs X, shape [n, d] (float64).
        p: number of blocks (candidate activation patterns), p ≥ 1.
        seed: seed of the random generators.
        overrides: ``{block j: h_j}`` of fixed generators (e.g. the planted hidden weights: then A w* is exactly the
            planted network's output).
        chunk: blocks per streamed chunk (memory per product is O(n·chunk + d·chunk)).

    Raises:
        ValueError: if ``p`` or ``chunk`` is < 1, ``x`` is not a finite 2-D array, or an override has the wrong
            length or block index.
    """

    def __init__(self, x: np.ndarray, p: int, *, seed: int = 0, overrides: Mapping[int, np.ndarray] | None = None,
                 chunk: int = 64) -> None:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
            raise ValueError(f"x must be a non-empty 2-D array [n, d], got shape {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError("x must be finite")
        self.x = x
        self.n, self.d = x.shape
        self.p = check_int("p", p, minimum=1)
        self.seed = check_int("seed", seed, minimum=0)
        self.chunk = check_int("chunk", chunk, minimum=1)
        self.overrides: dict[int, np.ndarray] = {}
        for j, h in (overrides or {}).items():
            self.set_generator(j, h)

    # ------------------------------------------------------------------ generators and patterns
    @property
    def shape(self) -> tuple[int, int]:
        """(n, d·p)."""
        return (self.n, self.d * self.p)

    def set_generator(self, block: int, h: np.ndarray) -> None:
        """Fix generator h_j of ``block`` (the sequential variant re-estimates them from the weights)."""
        j = check_int("block", int(block) if isinstance(block, np.integer) else block, minimum=0, maximum=self.p - 1)
        h = np.asarray(h, dtype=np.float64).reshape(-1)
        if h.shape != (self.d,):
            raise ValueError(f"generator for block {j} must have length d = {self.d}, got {h.shape}")
        self.overrides[j] = h.copy()

    def _random_chunk(self, c: int) -> np.ndarray:
        return np.random.default_rng([self.seed, c]).standard_normal((self.d, self.chunk))

    def generators(self, blocks: np.ndarray) -> np.ndarray:
        """Generators h_j of ``blocks`` as columns, shape [d, len(blocks)]."""
        blocks = np.asarray(blocks, dtype=np.int64).reshape(-1)
        out = np.empty((self.d, blocks.size))
        cache: dict[int, np.ndarray] = {}
        for i, j in enumerate(blocks):
            j = int(j)
            if j in self.overrides:
                out[:, i] = self.overrides[j]
            else:
                c = j // self.chunk
                if c not in cache:
                    cache[c] = self._random_chunk(c)
                out[:, i] = cache[c][:, j % self.chunk]
        return out

    def patterns(self, blocks: np.ndarray) -> np.ndarray:
        """0/1 pattern columns 1[X h_j ≥ 0] of ``blocks``, shape [n, len(blocks)] (float64)."""
        return (self.x @ self.generators(blocks) >= 0).astype(np.float64)

    def _chunk_patterns(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = c * self.chunk, min((c + 1) * self.chunk, self.p)
        blocks = np.arange(lo, hi)
        h = self._random_chunk(c)[:, : hi - lo]
        for i, j in enumerate(blocks):
            if int(j) in self.overrides:
                h[:, i] = self.overrides[int(j)]
        return blocks, (self.x @ h >= 0).astype(np.float64)

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Stream ``(blocks, patterns [n, len(blocks)])`` over all p blocks, ``chunk`` blocks at a time."""
        for c in range(-(-self.p // self.chunk)):
            yield self._chunk_patterns(c)

    # ------------------------------------------------------------------ products
    def _check_flat(self, idx: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= self.d * self.p):
            raise ValueError(f"indices must lie in [0, {self.d * self.p - 1}]")
        return idx

    def columns(self, idx: np.ndarray) -> np.ndarray:
        """The submatrix A_S of the columns ``idx`` (flat indices), shape [n, len(idx)]."""
        idx = self._check_flat(idx)
        blocks, feats = idx // self.d, idx % self.d
        uniq, inv = np.unique(blocks, return_inverse=True)
        pats = self.patterns(uniq)
        return pats[:, inv] * self.x[:, feats]

    def matvec_sparse(self, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
        """A w for a w given by its nonzeros (flat ``idx``, ``values``): Σ_i values_i · A[:, idx_i]."""
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if values.shape != np.shape(idx):
            raise ValueError("idx and values must have the same length")
        return self.columns(idx) @ values

    def matvec(self, w: np.ndarray) -> np.ndarray:
        """A w for a dense w of length d·p, streamed over chunks: Σ_j D_j X w_j = ((X W) ⊙ P) 1."""
        w = np.asarray(w, dtype=np.float64).reshape(-1)
        if w.shape != (self.d * self.p,):
            raise ValueError(f"w must have length d·p = {self.d * self.p}, got {w.shape}")
        wm = w.reshape(self.p, self.d)
        out = np.zeros(self.n)
        for blocks, pats in self.chunks():
            out += ((self.x @ wm[blocks].T) * pats).sum(axis=1)
        return out

    def rmatvec_chunks(self, r: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Stream Aᵀ r chunk by chunk: ``(blocks, G)`` with G[:, i] = Xᵀ(D_{blocks_i} r), shape [d, len(blocks)]."""
        r = np.asarray(r, dtype=np.float64).reshape(-1)
        if r.shape != (self.n,):
            raise ValueError(f"r must have length n = {self.n}, got {r.shape}")
        for blocks, pats in self.chunks():
            yield blocks, self.x.T @ (pats * r[:, None])

    def rmatvec(self, r: np.ndarray) -> np.ndarray:
        """Aᵀ r as a dense vector of length d·p (for tests and small problems)."""
        out = np.empty((self.p, self.d))
        for blocks, g in self.rmatvec_chunks(r):
            out[blocks] = g.T
        return out.ravel()

    def dense(self) -> np.ndarray:
        """Materialise A, shape [n, d·p] (tests and small problems only)."""
        return self.columns(np.arange(self.d * self.p))

    def norm_estimate(self, iters: int = 50, seed: int = 0) -> float:
        """‖A‖₂ by power iteration on AᵀA (``iters`` steps, from a seeded start), a lower estimate that converges
        from below."""
        iters = check_int("iters", iters, minimum=1)
        z = np.random.default_rng(seed).standard_normal(self.d * self.p)
        z /= np.linalg.norm(z)
        lam = 0.0
        for _ in range(iters):
            z = self.rmatvec(self.matvec(z))
            lam = float(np.linalg.norm(z))
            if lam == 0.0:
                return 0.0
            z /= lam
        return float(np.sqrt(lam))
