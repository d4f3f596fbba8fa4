r"""Planted sparse two-layer ReLU networks that meet, or violate, the structural conditions of exact IHT recovery.

The target is ŷ(x) = Σ_{j=1}^k (x·u_j)_+ v_j with v_j = +1 (the output layer fused into u_j, as in the authors'
planted-MLP task) and u_j sparse (``s_per_neuron`` nonzeros each, so s = k·s_per_neuron fused nonzeros).

Conditions (Fridovich-Keil & Pilanci, arXiv 2509.20323, Assumptions 1–2, as summarised; exact constants are not
reproduced here, see ``docs/theory/iht_recovery.md``):

* **separation** — distinct planted activation patterns differ on a fraction ≥ δ of the samples. For Gaussian x the
  expected fraction is θ_ij/π, θ_ij the angle between u_i and u_j, so the generator rejection-samples until
  min_{i≠j} θ_ij/π ≥ ``min_separation``;
* **coverage** — every planted pattern is active on a fraction ≥ ε of the samples (≈ 1/2 for Gaussian x without a
  bias; the ``low_coverage`` violation uses a constant input feature and a negative bias to make it ≈ Φ(−b)).

:func:`pattern_conditions` measures both on an actual sample. The sensing problem places the k planted patterns
(generators h = u_j) at random blocks among p, the other p − k blocks having random Gaussian generators, so the
fused planted weights w* are s-sparse in R^{dp} and A w* equals the network's output exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_int, check_real
from .operator import ActivationPatternOperator, fused_weights, relu_network

__all__ = ["PlantedNetwork", "SensingProblem", "planted_network", "violating_network", "pattern_conditions",
           "VIOLATIONS"]

VIOLATIONS = ("duplicate", "low_coverage")


@dataclass(frozen=True)
class PlantedNetwork:
    """A planted network ŷ = Σ_j (x·u_j)_+ v_j.

    Attributes:
        u: hidden weights [d, k] (sparse columns).
        v: output weights [k].
        bias: whether the last input feature is the constant 1 (then :meth:`inputs` appends it).
        kind: ``"separated"`` or the violation's name.
    """

    u: np.ndarray
    v: np.ndarray
    bias: bool = False
    kind: str = "separated"

    @property
    def d(self) -> int:
        return self.u.shape[0]

    @property
    def k(self) -> int:
        return self.u.shape[1]

    @property
    def s(self) -> int:
        """Number of nonzero fused weights."""
        return int(np.count_nonzero(self.u * self.v[None, :]))

    def inputs(self, n: int, seed: int) -> np.ndarray:
        """n i.i.d. N(0, I) inputs (the last feature the constant 1 when ``bias``), shape [n, d]."""
        n = check_int("n", n, minimum=1)
        x = np.random.default_rng([check_int("seed", seed, minimum=0), 7]).standard_normal((n, self.d))
        if self.bias:
            x[:, -1] = 1.0
        return x

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return relu_network(x, self.u, self.v)

    def problem(self, n: int, p: int, seed: int, chunk: int = 64, planted_patterns: bool = True) -> SensingProblem:
        """The sensing problem y = A w* on n fresh inputs with p candidate patterns (k of them planted).

        With ``planted_patterns=False`` every generator is random (the setting of the sequential variant, which must
        find the patterns itself); ``w_star`` then still marks the planted weights' blocks but A w* ≠ y in general.

        Raises:
            ValueError: if p < k (the planted patterns must fit in the dictionary) or n < 1.
        """
        n = check_int("n", n, minimum=1)
        p = check_int("p", p, minimum=self.k)
        x = self.inputs(n, seed)
        blocks = np.sort(np.random.default_rng([seed, 11]).choice(p, size=self.k, replace=False))
        overrides = {int(b): self.u[:, j] for j, b in enumerate(blocks)} if planted_patterns else {}
        op = ActivationPatternOperator(x, p, seed=seed + 1, overrides=overrides, chunk=chunk)
        w = np.zeros(self.d * p)
        fw = fused_weights(self.u, self.v).reshape(self.k, self.d)
        for j, b in enumerate(blocks):
            w[b * self.d:(b + 1) * self.d] = fw[j]
        return SensingProblem(x=x, y=self(x), op=op, w_star=w, blocks=blocks)


@dataclass
class SensingProblem:
    """y = A w*: inputs ``x``, labels ``y``, the operator, the planted fused weights and their blocks."""

    x: np.ndarray
    y: np.ndarray
    op: ActivationPatternOperator
    w_star: np.ndarray
    blocks: np.ndarray

    @property
    def support(self) -> np.ndarray:
        return np.flatnonzero(self.w_star)


def pattern_conditions(x: np.ndarray, u: np.ndarray) -> dict:
    """Measured separation and coverage of the patterns 1[x u_j ≥ 0] on a sample.

    Returns:
        ``{"min_separation": min_{i≠j} (fraction of rows where patterns i and j differ) (1.0 when k = 1),
        "min_coverage": min_j fraction of active rows, "max_coverage": max_j fraction of active rows}``.
    """
    pats = (np.asarray(x) @ np.asarray(u) >= 0)
    n, k = pats.shape
    cover = pats.mean(axis=0)
    sep = 1.0
    for i in range(k):
        for j in range(i + 1, k):
            sep = min(sep, float(np.mean(pats[:, i] != pats[:, j])))
    return {"min_separation": sep, "min_coverage": float(cover.min()), "max_coverage": float(cover.max())}


def _angles_over_pi(u: np.ndarray) -> float:
    un = u / np.linalg.norm(u, axis=0, keepdims=True)
    c = np.clip(un.T @ un, -1.0, 1.0)
    k = u.shape[1]
    if k < 2:
        return 1.0
    return float(np.arccos(c[~np.eye(k, dtype=bool)]).min() / np.pi)


def _sparse_column(rng: np.random.Generator, d: int, s: int) -> np.ndarray:
    col = np.zeros(d)
    col[rng.choice(d, size=s, replace=False)] = rng.standard_normal(s)
    return col


def planted_network(d: int, k: int, s_per_neuron: int, seed: int, *, min_separation: float = 0.15,
                    max_tries: int = 1000) -> PlantedNetwork:
    """A planted network meeting the separation and coverage conditions.

    Each u_j has ``s_per_neuron`` nonzeros on a uniformly random support with N(0, 1) values, v_j = 1; the draw is
    repeated until every pair of neurons has angle θ_ij ≥ π·``min_separation`` (expected pattern disagreement
    ≥ ``min_separation`` on Gaussian inputs). Without a bias every pattern covers ≈ 1/2 of Gaussian inputs.

    Args:
        d: input dimension (≥ 1).
        k: number of planted neurons (≥ 1).
        s_per_neuron: nonzeros per neuron, in [1, d].
        seed: seed.
        min_separation: required min θ_ij/π, in [0, 0.5].
        max_tries: rejection-sampling attempts before giving up.

    Returns:
        The :class:`PlantedNetwork` (kind ``"separated"``).

    Raises:
        ValueError: for out-of-range arguments (``s_per_neuron`` larger than d names the parameter), or when no
            draw in ``max_tries`` is separated enough.
    """
    d = check_int("d", d, minimum=1)
    k = check_int("k", k, minimum=1)
    s_per_neuron = check_int("s_per_neuron", s_per_neuron, minimum=1, maximum=d)
    check_real("min_separation", min_separation, minimum=0.0, maximum=0.5)
    check_int("max_tries", max_tries, minimum=1)
    rng = np.random.default_rng([check_int("seed", seed, minimum=0), 3])
    for _ in range(max_tries):
        u = np.stack([_sparse_column(rng, d, s_per_neuron) for _ in range(k)], axis=1)
        if _angles_over_pi(u) >= min_separation:
            return PlantedNetwork(u=u, v=np.ones(k))
    raise ValueError(f"no draw of {k} neurons with {s_per_neuron} nonzeros in d = {d} reached min_separation = "
                     f"{min_separation} in {max_tries} tries; lower min_separation or k")


def violating_network(d: int, k: int, s_per_neuron: int, seed: int, kind: str = "duplicate", *,
                      perturbation: float = 0.05, coverage: float = 0.02) -> PlantedNetwork:
    """A planted network that violates one structural condition.

    * ``"duplicate"`` (separation): neurons come in pairs on the same support, u_{2i+1} = u_{2i} + ``perturbation``·
      g with g Gaussian on that support, so their patterns disagree on only ≈ perturbation/π of the inputs (k must
      be even);
    * ``"low_coverage"`` (coverage): the last input feature is the constant 1 and neuron 0 gets the bias
      b = Φ⁻¹(``coverage``)·‖a‖, so it is active on ≈ ``coverage`` of the inputs (its other weights are sparse
      Gaussian on the first d − 1 features; the bias counts as one of its ``s_per_neuron`` nonzeros).

    Raises:
        ValueError: for an unknown ``kind`` (allowed: ``VIOLATIONS``), an odd k with ``"duplicate"``, or out-of-range
            sizes.
    """
    if not isinstance(kind, str) or kind not in VIOLATIONS:
        raise ValueError(f"kind must be one of {VIOLATIONS}, got {kind!r}")
    d = check_int("d", d, minimum=2)
    k = check_int("k", k, minimum=1)
    s_per_neuron = check_int("s_per_neuron", s_per_neuron, minimum=1, maximum=d)
    rng = np.random.default_rng([check_int("seed", seed, minimum=0), 5])
    if kind == "duplicate":
        if k % 2:
            raise ValueError(f"k must be even for kind='duplicate', got {k}")
        check_real("perturbation", perturbation, minimum=0.0, min_inclusive=False)
        cols = []
        for _ in range(k // 2):
            a = _sparse_column(rng, d, s_per_neuron)
            b = a.copy()
            nz = np.flatnonzero(a)
            b[nz] += perturbation * rng.standard_normal(nz.size) * np.linalg.norm(a) / np.sqrt(nz.size)
            cols += [a, b]
        return PlantedNetwork(u=np.stack(cols, axis=1), v=np.ones(k), kind=kind)
    from scipy.stats import norm

    check_real("coverage", coverage, minimum=0.0, maximum=0.5, min_inclusive=False)
    if s_per_neuron < 2:
        raise ValueError("s_per_neuron must be ≥ 2 for kind='low_coverage' (one nonzero is the bias)")
    cols = [_sparse_column(rng, d - 1, s_per_neuron) for _ in range(k)]
    u = np.zeros((d, k))
    for j, c in enumerate(cols):
        u[:-1, j] = c
    u[:, 0] = 0.0
    u[:-1, 0] = _sparse_column(rng, d - 1, s_per_neuron - 1)
    u[-1, 0] = norm.ppf(coverage) * np.linalg.norm(u[:-1, 0])
    return PlantedNetwork(u=u, v=np.ones(k), bias=True, kind=kind)
