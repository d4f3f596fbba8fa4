r"""Exact infinite-width NNGP and NTK of a DAG cell network (stem, cell, readout), and the paper's approximations.

The network (Chen, Huang, Wang, AutoML-Conf 2023, Eq. 1–2, in the NTK parameterisation of :class:`theorycheck.MLP`):

.. math::

    X^{(0)} = \mathrm{relu}(\sigma_w d^{-1/2} W_s x + \sigma_b b_s), \qquad
    X^{(t)} = \sum_{s<t} \rho_{st}(X^{(s)}), \qquad
    f(x) = \sigma_w m^{-1/2} w_o^\top X^{(H)} + \sigma_b b_o,

with ρ = 0, the identity (skip) or relu(σ_w m^{-1/2} W X + σ_b b) (linear), all weights and biases N(0, 1).

**Forward (mean parts and coherent skips).** The output of a linear edge e splits into its mean and a centred part,
Y_e = α_e 𝟙 + Z_e with α_e(x) = E[relu(h_e(x))] = √(Λ_e(x,x)/(2π)). The centred parts of different edges are
orthogonal in the limit, while every mean part lies along the same vector 𝟙, and a skip copies the *same* vector.
So every node is

.. math::

    X^{(t)} = \beta_t 𝟙 + \sum_e n_{e\to t} Z_e, \qquad \beta_t = \sum_e n_{e\to t}\alpha_e, \qquad
    K_t = \lim \tfrac1m \langle X^{(t)}(x), X^{(t)}(x')\rangle
        = \beta_t(x)\beta_t(x') + \sum_e n_{e\to t}^2\, C_e(x,x'),

where n_{e→t} counts the skip-only paths from the head of e to t, C_e = E[relu relu] − α_e α_e' and e runs over the
stem and the linear edges. Each linear edge s → t has pre-activation covariance Λ_e = σ_w² K_s + σ_b² (the stem:
σ_w² x·x'/d + σ_b²).

**Backward (gradient independence).** With N[u][v] the skip-path counts and Ė_e = E[step(u)step(v)] under Λ_e,
B_u = lim ⟨∂f/∂X^{(u)}(x), ∂f/∂X^{(u)}(x')⟩ obeys

.. math::

    B_u = \sigma_w^2 \Bigl( N[u][H]^2 + \sum_{\text{linear } e = s\to t} N[u][s]^2\, \dot E_e\, B_t \Bigr),
    \qquad
    \Theta = \sigma_w^2 K_H + \sigma_b^2 + \sum_{e \in \text{stem, linear}} \Lambda_e\, \dot E_e\, B_{\mathrm{head}(e)}.

For a chain of L − 1 linear edges this is exactly the MLP recursion of depth L
(:func:`theorycheck.kernels.mlp_kernels`).
The paper's own kernel (Thm 4.4) instead sets K_H(x,x) = P and K_H(x,x') = Σ_p f^{d_p}(K_0(x,x')), f = κ₁: it drops
the mean parts (two parallel linear edges into one node have diagonal 2 + 2/π, not 2) and adds skip copies
incoherently (diagonal ∝ #copies, not #copies²); it is exact only for single paths. Docs:
``docs/theory/architectures.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..cells import Cell
from .relu import ReLU

__all__ = ["DagKernels", "DagEngine", "dag_kernels", "relu_moments", "paper_cell_nngp", "thm44_bound",
           "thm41_jacobian_norm", "kappa1"]

_RELU = ReLU()
_SNAP = 16 * 2.0**-53


def relu_moments(lam: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(E[relu(u)relu(v)], E[step(u)step(v)], E[relu(u)]) for (u, v) ~ N(0, Λ) over every pair of a symmetric Gram Λ.

    Uses the arc-cosine closed forms of :class:`theorycheck.kernels.relu.ReLU`. A point of zero variance has relu
    and step ≡ 0 (torch's relu'(0) = 0), so its rows are exactly zero. The diagonal correlation is exactly 1 and
    correlations within 16 ulps of ±1 are snapped to ±1. Both outputs are exactly symmetric.

    Args:
        lam: [n, n] symmetric positive semi-definite float tensor.

    Returns:
        ``(e1, e0, mean)``: two [n, n] tensors and one [n] tensor.
    """
    q = lam.diagonal().clamp_min(0.0)
    s = torch.sqrt(q)
    inv = torch.where(s > 0, 1.0 / s, torch.zeros_like(s))
    rho = (lam * inv[:, None] * inv[None, :]).clamp_(-1.0, 1.0)
    near = rho.abs() > 1.0 - _SNAP
    rho = torch.where(near, torch.sign(rho), rho)
    rho.diagonal().fill_(1.0)
    dot = torch.empty_like(rho)
    _RELU.block(rho, {"s": s[:, None]}, {"s": s[None, :]}, dot, [torch.empty_like(rho), torch.empty_like(rho)])
    live = (s > 0).to(lam.dtype)
    dot.mul_(live[:, None] * live[None, :])
    # (a·s_i)·s_j and (a·s_j)·s_i may differ in the last bit: symmetrise exactly (IEEE addition commutes)
    return 0.5 * (rho + rho.T), 0.5 * (dot + dot.T), s / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class DagKernels:
    """Limits of a cell network on one input set (all [n, n] float64 unless stated).

    Attributes:
        nngp: output NNGP σ_w² K_H + σ_b².
        ntk: output NTK Θ.
        features: K_H, the Gram of the cell output X^{(H)} (the paper's K^{(H)}).
        nodes: K_t for t = 0..H (K_0: the stem output, the cell's input).
        means: β_t(x) for t = 0..H ([n] each), the per-coordinate mean of node t.
        backward: B_t for t = 0..H.
    """

    nngp: torch.Tensor
    ntk: torch.Tensor
    features: torch.Tensor
    nodes: tuple[torch.Tensor, ...]
    means: tuple[torch.Tensor, ...]
    backward: tuple[torch.Tensor, ...]


class DagEngine:
    """Exact cell-network kernels on one fixed input set, for many cells (module docstring).

    Node states and edge moments depend only on the cell's prefix (the ops into nodes 1..t), so they are memoised
    across cells: over all 541 cells at H = 3 the engine evaluates 32 arc-cosine moments instead of ~2700
    and keeps 31 node states.

    Args:
        x: validated [n, d] float inputs.
        sigma_w: weight scale σ_w > 0 (the paper: √2).
        sigma_b: bias scale σ_b ≥ 0 (the paper: 0).
    """

    def __init__(self, x: torch.Tensor, sigma_w: float, sigma_b: float) -> None:
        if not isinstance(x, torch.Tensor) or x.dim() != 2:
            raise TypeError("x must be a 2-D torch tensor (validate it with theorycheck._validation.as_inputs)")
        self.x = x
        self.n, self.d = x.shape
        self.w2, self.b2 = float(sigma_w) ** 2, float(sigma_b) ** 2
        lam = (self.w2 / self.d) * (x @ x.T) + self.b2
        self._stem = self._moments(0.5 * (lam + lam.T))
        self._nodes: dict[str, tuple] = {}
        self._edges: dict[str, tuple] = {}

    @staticmethod
    def _moments(lam: torch.Tensor) -> tuple[torch.Tensor, ...]:
        e1, e0, alpha = relu_moments(lam)
        return e1 - alpha[:, None] * alpha[None, :], alpha, lam * e0, e0

    def _edge(self, prefix: str, source_k: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(C_e, α_e, Λ_e·Ė_e, Ė_e) of a linear edge out of the node whose cell prefix is ``prefix``."""
        if prefix not in self._edges:
            self._edges[prefix] = self._moments(self.w2 * source_k + self.b2)
        return self._edges[prefix]

    def _node_state(self, comps: dict) -> tuple[torch.Tensor, torch.Tensor]:
        beta = torch.zeros(self.n, dtype=self.x.dtype, device=self.x.device)
        k = torch.zeros((self.n, self.n), dtype=self.x.dtype, device=self.x.device)
        for c, a, mult in comps.values():
            if mult:
                beta = beta + mult * a
                k = k + (mult * mult) * c
        k = k + beta[:, None] * beta[None, :]
        return 0.5 * (k + k.T), beta

    def _forward(self, cell: Cell) -> list[tuple]:
        """Per node t: (K_t, β_t, components {key: (C, α, multiplicity)}), memoised by prefix."""
        groups = cell.code.split("_")
        prefix0 = ""
        if prefix0 not in self._nodes:
            comps = {-1: (self._stem[0], self._stem[1], 1)}
            self._nodes[prefix0] = (*self._node_state(comps), comps)
        states = [self._nodes[prefix0]]
        for t in range(1, cell.nodes + 1):
            prefix = "_".join(groups[:t])
            state = self._nodes.get(prefix)
            if state is None:
                comps: dict = {}
                for s in range(t):
                    op = cell.ops[t - 1][s]
                    if op == "skip":
                        for key, (c, a, mult) in states[s][2].items():
                            old = comps.get(key, (c, a, 0))
                            comps[key] = (c, a, old[2] + mult)
                    elif op == "linear":
                        c, a, _, _ = self._edge("_".join(groups[:s]), states[s][0])
                        comps[(s, t)] = (c, a, 1)
                state = (*self._node_state(comps), comps)
                if t < cell.nodes:  # the output node is never a source: not kept (729 of them at H = 3)
                    self._nodes[prefix] = state
            states.append(state)
        return states

    def kernels(self, cell: Cell) -> DagKernels:
        """:class:`DagKernels` of ``cell`` on this engine's inputs."""
        if not isinstance(cell, Cell):
            raise TypeError(f"cell must be a theorycheck.cells.Cell, got {type(cell).__name__}")
        states = self._forward(cell)
        groups = cell.code.split("_")
        h = cell.nodes
        skip = cell.skip_paths()
        edges = {(s, t): self._edge("_".join(groups[:s]), states[s][0]) for s, t in cell.linear_edges}
        back: list = [None] * (h + 1)
        for u in range(h, -1, -1):
            acc = torch.full((self.n, self.n), float(skip[u][h] ** 2), dtype=self.x.dtype, device=self.x.device)
            for (s, t), (_, _, _, e0) in edges.items():
                if skip[u][s]:
                    acc = acc + (skip[u][s] ** 2) * e0 * back[t]
            back[u] = self.w2 * acc
        features = states[h][0]
        nngp = self.w2 * features + self.b2
        ntk = nngp + self._stem[2] * back[0]
        for (_, t), (_, _, lam_dot, _) in edges.items():
            ntk = ntk + lam_dot * back[t]
        ntk = 0.5 * (ntk + ntk.T)
        return DagKernels(nngp=nngp, ntk=ntk, features=features, nodes=tuple(st[0] for st in states),
                          means=tuple(st[1] for st in states), backward=tuple(back))


def dag_kernels(x: torch.Tensor, cell: Cell, sigma_w: float, sigma_b: float) -> DagKernels:
    """The exact infinite-width kernels of the stem–cell–readout network on the rows of ``x`` (module docstring).

    For many cells on the same inputs use :class:`DagEngine`, which shares the work between cells.

    Args:
        x: validated [n, d] float inputs.
        cell: the :class:`~theorycheck.cells.Cell`.
        sigma_w: weight scale σ_w > 0 (the paper: √2).
        sigma_b: bias scale σ_b ≥ 0 (the paper: 0).

    Returns:
        :class:`DagKernels`, exactly symmetric.
    """
    return DagEngine(x, sigma_w, sigma_b).kernels(cell)


def kappa1(rho: torch.Tensor) -> torch.Tensor:
    """κ₁(ρ) = (√(1−ρ²) + (π − arccos ρ) ρ)/π, the paper's h(C) of Lemma E.1 (one Linear+ReLU edge, c_σ = 2)."""
    r = rho.clamp(-1.0, 1.0)
    return (torch.sqrt((1 - r) * (1 + r)) + (math.pi - torch.arccos(r)) * r) / math.pi


def _correlation(k0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    s = torch.sqrt(k0.diagonal().clamp_min(0.0))
    inv = torch.where(s > 0, 1.0 / s, torch.zeros_like(s))
    rho = (k0 * inv[:, None] * inv[None, :]).clamp(-1.0, 1.0)
    rho.diagonal().fill_(1.0)
    return rho, s


def paper_cell_nngp(k0: torch.Tensor, cell: Cell) -> torch.Tensor:
    """The paper's cell kernel (Thm 4.4 and its proof): K_H = √(a a')·Σ_p κ₁^{∘d_p}(ρ₀), with f⁰ the identity.

    With a unit-diagonal cell input Gram K_0 this is the paper's K^{(H)}_ij = Σ_p f^{d_p}(K^{(0)}_ij), diagonal P.

    Args:
        k0: [n, n] Gram of the cell input X^{(0)}.
        cell: the cell.
    """
    rho, s = _correlation(k0)
    out = torch.zeros_like(k0)
    for depth in cell.path_depths:
        r = rho
        for _ in range(depth):
            r = kappa1(r)
        out = out + r
    return out * s[:, None] * s[None, :]


def thm44_bound(k0: torch.Tensor, cell: Cell) -> float:
    """The right-hand side of Thm 4.4, min_{i≠j} [P − Σ_p f^{d_p}(ρ₀_ij)], for the correlation ρ₀ of K_0.

    The theorem states λ_min(K^{(H)}) ≤ this for a unit-diagonal K_0.
    """
    if k0.shape[0] < 2:
        raise ValueError(f"k0 needs at least 2 inputs for an off-diagonal pair, got {k0.shape[0]}")
    rho, _ = _correlation(k0)
    unit = paper_cell_nngp(rho, cell)
    off = ~torch.eye(k0.shape[0], dtype=torch.bool, device=k0.device)
    return float((cell.path_count - unit[off]).min())


def thm41_jacobian_norm(cell: Cell, width: int) -> float:
    """The paper's Thm 4.1 value per unit tangent: C·Σ_p exp(−5 d_p/(8m)), C = Γ((m+1)/2)/(Γ(m/2)(m/2)^{1/2}).

    The theorem's equality rests on exchanging ‖Σ_p J_p u‖ for Σ_p ‖J_p u‖, which is only an upper bound.
    """
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be an int ≥ 1, got {width!r}")
    c = math.exp(math.lgamma((width + 1) / 2) - math.lgamma(width / 2) - 0.5 * math.log(width / 2))
    return c * sum(math.exp(-5.0 * dp / (8.0 * width)) for dp in cell.path_depths)
