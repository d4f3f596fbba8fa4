r"""What one weight matrix does to the limiting kernels: its *kernel step* (the analytic half of a layer).

The engine :func:`theorycheck.kernels.recursion.mlp_kernels` carries, for every pair of inputs, the pre-activation
covariance Σ and the NTK Θ of each hidden layer. A weight matrix l maps the expectations E_{l−1} = E[φφ] and
Ė_{l−1} = E[φ'φ'] of the layer below to the next layer's Σ^{(l)} and Θ^{(l)}. Two kinds of step:

* :class:`KernelStep` (α, β, γ): a dense matrix or one with an i.i.d. Bernoulli mask (docs/theory/pruned.md),

  .. math::

      \Sigma^{(l)} = \alpha\,\sigma_w^2 E_{l-1} + \sigma_b^2, \qquad
      \Theta^{(l)} = \beta\,\sigma_w^2 E_{l-1} + \sigma_b^2 + \gamma\,\sigma_w^2 \dot E_{l-1}\,\Theta^{(l-1)}

  (E_0 = x·x'/d, and no Θ term for the input layer);

* :class:`GraphonStep` (a matrix W of keep probabilities on a grid of positions): a mask sampled from a graphon
  (docs/theory/graphon.md), where Σ and Θ depend on the position v of the unit,

  .. math::

      \tilde\Sigma^{(l)}(v) = \sigma_w^2 \int W(v,u)\, E_{l-1}(u)\, du + \sigma_b^2, \qquad
      \tilde\Theta^{(l)}(v) = \tilde\Sigma^{(l)}(v) + \sigma_w^2 \int W(v,u)\, \dot E_{l-1}(u)\,
      \tilde\Theta^{(l-1)}(u)\, du .

A constant graphon W ≡ c is the :class:`KernelStep` (c, c, c).

:class:`MaskScaling` is the one place where the masking conventions live: it says how a finite masked layer is
scaled (its fan-in factor and the variance of its initial weights) and derives the (α, β, γ) of its limit from
those two numbers. The finite layer (:class:`theorycheck.nn.mlp.NTKLinear`) and the spec
(:class:`theorycheck.MLP`) both read it.

:class:`LayerState` is an optional starting point of the engine: the kernels of some hidden layer k's
pre-activations, computed elsewhere (e.g. an exact fixed-d treatment of a pruned input layer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch

__all__ = ["RESCALE_OPTIONS", "MaskScaling", "KernelStep", "GraphonStep", "LayerState", "Step", "check_steps"]

#: Values of ``rescale``: none, architectural (convention A), value rescaling at init (convention B).
RESCALE_OPTIONS = (False, True, "weights")


def check_rescale(rescale: object) -> bool | str:
    """``rescale`` if it is one of :data:`RESCALE_OPTIONS` (``1`` is not ``True``).

    Args:
        rescale: the value to check.

    Returns:
        ``rescale`` unchanged.

    Raises:
        ValueError: for any other value.
    """
    if not any(rescale is opt or (isinstance(opt, str) and rescale == opt) for opt in RESCALE_OPTIONS):
        raise ValueError(f"rescale must be False, True or 'weights', got {rescale!r}")
    return rescale  # type: ignore[return-value]


class KernelStep(NamedTuple):
    r"""(α, β, γ) of a dense or Bernoulli-masked weight matrix (docs/theory/pruned.md).

    α multiplies σ_w² in the forward covariance Σ, β the weight term of the NTK and γ σ_w² in the derivative
    kernel that back-propagates through the matrix. Dense: (1, 1, 1). A plain tuple (α, β, γ) is accepted wherever
    a step is.
    """

    alpha: float = 1.0
    beta: float = 1.0
    gamma: float = 1.0

    @property
    def k_in(self) -> int:
        """Positions on the input side: one (no position dependence)."""
        return 1

    @property
    def k_out(self) -> int:
        """Positions on the output side: one."""
        return 1

    def input_variances(self, x: torch.Tensor, w2: float, b2: float) -> torch.Tensor:
        """Σ^{(1)}(x, x) = α σ_w² ‖x‖²/d + σ_b² of the first hidden layer, as a [1, n] tensor.

        Args:
            x: inputs [n, d].
            w2: σ_w².
            b2: σ_b².

        Returns:
            [1, n] tensor.
        """
        return (self.alpha * (w2 / x.shape[1]) * (x * x).sum(dim=1) + b2)[None]

    def input_block(self, x1: torch.Tensor, x2: torch.Tensor, nngp: torch.Tensor, ntk: torch.Tensor, w2: float,
                    b2: float) -> None:
        """In place: ``nngp`` ← α σ_w² x1·x2/d + σ_b², ``ntk`` ← β σ_w² x1·x2/d + σ_b² (first hidden layer).

        Args:
            x1: row inputs [r, d].
            x2: column inputs [m, d].
            nngp: output [1, r, m].
            ntk: output [1, r, m].
            w2: σ_w².
            b2: σ_b².
        """
        c, t = nngp[0], ntk[0]
        torch.mm(x1, x2.T, out=c)
        c.mul_(w2 / x1.shape[1])
        torch.mul(c, self.beta, out=t).add_(b2)
        c.mul_(self.alpha).add_(b2)

    def variances(self, e: torch.Tensor, w2: float, b2: float) -> torch.Tensor:
        """Σ^{(l)}(x, x) = α σ_w² E[φ²] + σ_b² from the expectations ``e`` [1, n] of the layer below."""
        return self.alpha * w2 * e + b2

    def propagate(self, e: torch.Tensor, edot: torch.Tensor, ntk: torch.Tensor, nngp_out: torch.Tensor,
                  ntk_out: torch.Tensor, w2: float, b2: float) -> None:
        """In place: the next layer's Σ into ``nngp_out`` and Θ into ``ntk_out`` (the formula above).

        Args:
            e: E[φφ] of the layer below, [1, r, m] (kept).
            edot: E[φ'φ'] of the layer below, [1, r, m] (kept).
            ntk: Θ of the layer below, [1, r, m]; it is ``ntk_out`` (updated in place).
            nngp_out: output Σ, [1, r, m].
            ntk_out: output Θ, the same tensor as ``ntk``.
            w2: σ_w².
            b2: σ_b².
        """
        torch.mul(e, self.alpha * w2, out=nngp_out).add_(b2)
        ntk.mul_(edot).mul_(self.gamma * w2)  # Θ^{(l−1)} Σ̇^{(l)}
        if self.beta == self.alpha:
            ntk.add_(nngp_out)
        else:
            ntk.add_(e, alpha=self.beta * w2).add_(b2)


@dataclass(frozen=True)
class GraphonStep:
    r"""A weight matrix masked by a graphon, evaluated on a grid of positions (docs/theory/graphon.md).

    Attributes:
        values: [k_out, k_in] tensor of W(v, u) ∈ [0, 1] at the output positions v and input positions u (cell
            midpoints): [K, d] for the input layer, [K, K] between hidden layers, [1, K] for the readout.
    """

    values: torch.Tensor

    def __post_init__(self) -> None:
        if not isinstance(self.values, torch.Tensor) or self.values.dim() != 2:
            raise TypeError("GraphonStep values must be a 2-D tensor [k_out, k_in]")

    @property
    def k_in(self) -> int:
        """Positions on the input side (d for the input layer)."""
        return int(self.values.shape[1])

    @property
    def k_out(self) -> int:
        """Positions on the output side (1 for the readout)."""
        return int(self.values.shape[0])

    def to(self, like: torch.Tensor) -> GraphonStep:
        """The same step with values in the dtype and on the device of ``like``."""
        return GraphonStep(self.values.to(dtype=like.dtype, device=like.device))

    def input_variances(self, x: torch.Tensor, w2: float, b2: float) -> torch.Tensor:
        """Σ̃^{(1)}(v; x, x) = σ_w²/d Σ_j W(v, j) x_j² + σ_b², as a [K, n] tensor.

        Raises:
            ValueError: if the step's input grid does not have one position per input feature.
        """
        d = x.shape[1]
        if self.k_in != d:
            raise ValueError(f"the input-layer graphon has {self.k_in} input positions; the inputs have {d} features")
        return (w2 / d) * (self.values @ (x * x).T) + b2

    def input_block(self, x1: torch.Tensor, x2: torch.Tensor, nngp: torch.Tensor, ntk: torch.Tensor, w2: float,
                    b2: float) -> None:
        """In place: ``nngp`` = ``ntk`` ← σ_w²/d Σ_j W(v, j) x1_j x2_j + σ_b² for every position v, [K, r, m]."""
        torch.matmul(x1[None] * self.values[:, None, :], x2.T, out=nngp)
        nngp.mul_(w2 / x1.shape[1]).add_(b2)
        ntk.copy_(nngp)

    def variances(self, e: torch.Tensor, w2: float, b2: float) -> torch.Tensor:
        """Σ̃^{(l)}(v; x, x) = σ_w² ∫ W(v, u) E[φ²](u) du + σ_b² from ``e`` [k_in, n]; returns [k_out, n]."""
        return (w2 / self.k_in) * (self.values @ e) + b2

    def propagate(self, e: torch.Tensor, edot: torch.Tensor, ntk: torch.Tensor, nngp_out: torch.Tensor,
                  ntk_out: torch.Tensor, w2: float, b2: float) -> None:
        """Σ̃ and Θ̃ of the next layer at its k_out positions (the formula above), one GEMM each.

        Args:
            e: E[φφ](u) of the layer below, [k_in, r, m] (kept).
            edot: E[φ'φ'](u), [k_in, r, m] (overwritten with Ė·Θ).
            ntk: Θ̃(u) of the layer below, [k_in, r, m] (read before ``ntk_out`` is written; may share storage).
            nngp_out: output Σ̃(v), [k_out, r, m], contiguous.
            ntk_out: output Θ̃(v), [k_out, r, m], contiguous.
            w2: σ_w².
            b2: σ_b².
        """
        k_in, k_out = self.k_in, self.k_out
        f = w2 / k_in
        edot.mul_(ntk)  # Ė(u) Θ̃(u)
        torch.mm(self.values, edot.view(k_in, -1), out=ntk_out.view(k_out, -1))
        torch.mm(self.values, e.view(k_in, -1), out=nngp_out.view(k_out, -1))
        nngp_out.mul_(f).add_(b2)
        ntk_out.mul_(f).add_(nngp_out)


Step = KernelStep | GraphonStep


@dataclass(frozen=True)
class MaskScaling:
    r"""How a masked weight matrix is scaled, and what that does to its limit (docs/theory/pruned.md).

    The finite layer computes h = σ_w/√(φ_fan · fan_in) · (W ⊙ M) g + σ_b b with M ~ Bernoulli(q) and the initial
    kept weights of variance 1/π_w, where (φ_fan, π_w) are :attr:`fan_factor` and :attr:`weight_precision`:

    ========================  ==========  =========  =====================
    ``rescale``               φ_fan       π_w        limit (α, β, γ)
    ========================  ==========  =========  =====================
    ``False`` (no rescaling)  1           1          (q, q, q)
    ``True`` (convention A)   q           1          (1, 1, 1)
    ``"weights"`` (conv. B)   1           q          (1, q, 1)
    ========================  ==========  =========  =====================

    The limit follows from those two numbers (docs/theory/pruned.md; the unrescaled case is the factor of Yang &
    Wang, AISTATS 2023, Thm. 1; the general form is derived there and checked against finite networks): a unit's
    pre-activation sums q·fan_in kept terms of variance σ_w²/(φ_fan fan_in π_w), so α = q/(φ_fan π_w); the same
    sum, over the rows, back-propagates δ, so γ = α; the NTK's weight term differentiates w.r.t. the stored weights
    and has no 1/π_w: β = q/φ_fan. Computed so that every ratio q/q is exactly 1.

    Attributes:
        keep: keep probability q ∈ [0, 1] (1: dense); q > 0 when ``rescale`` is not ``False``.
        rescale: one of :data:`RESCALE_OPTIONS`.

    Raises:
        ValueError: for q outside [0, 1], a rescaled q = 0, or an unknown ``rescale``.
    """

    keep: float = 1.0
    rescale: bool | str = False

    def __post_init__(self) -> None:
        check_rescale(self.rescale)
        q = self.keep
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not math.isfinite(q) or not 0.0 <= q <= 1.0:
            raise ValueError(f"keep must be a keep probability in [0, 1], got {q!r}")
        if q == 0.0 and self.rescale is not False:
            raise ValueError("keep must be > 0 when the mask is rescaled")
        object.__setattr__(self, "keep", float(q))

    @property
    def fan_factor(self) -> float:
        """φ_fan: the layer's scale is σ_w/√(φ_fan · fan_in)."""
        return self.keep if self.rescale is True else 1.0

    @property
    def weight_precision(self) -> float:
        """π_w: the initial kept weights are N(0, 1/π_w) (the standard normal draw divided by √π_w)."""
        return self.keep if self.rescale == "weights" else 1.0

    def input_scales(self, fan_in: int, sigma_w: float) -> tuple[float, float]:
        r"""(a, b) of one unit at a *fixed* fan-in (the input layer at fixed d; docs/theory/pruned.md).

        Given the unit's mask row m, its pre-activation covariance is a·Σ_j m_j x_j x'_j + σ_b² and its own tangent
        kernel b·Σ_j m_j x_j x'_j + σ_b²: a = σ_w²/(φ_fan π_w fan_in) (scale² × weight variance) and
        b = σ_w²/(φ_fan fan_in) (the gradient w.r.t. the stored weights has no 1/π_w). Averaged over m
        (E m_j = q) they give α σ_w²/fan_in and β σ_w²/fan_in of :meth:`step`.

        Args:
            fan_in: the layer's fan-in (d).
            sigma_w: σ_w.

        Returns:
            (a, b).
        """
        c2 = sigma_w * sigma_w / (self.fan_factor * fan_in)
        return c2 / self.weight_precision, c2

    def step(self) -> KernelStep:
        """The (α, β, γ) of this matrix in the infinite-width limit (table above)."""
        alpha = self.keep / (self.fan_factor * self.weight_precision)
        return KernelStep(alpha, self.keep / self.fan_factor, alpha)


@dataclass(frozen=True)
class LayerState:
    r"""The kernels of hidden layer k's pre-activations: a starting point of the engine that replaces layers < k.

    The engine then applies the expectations of layer k and the steps of matrices k, …, L (0-based ``steps[k:]``).
    For the input layer pruned at fixed input dimension d (docs/theory/pruned.md), the exact limit averages the
    layer-2 expectations over the mask rows; such a module computes Σ^{(2)}, Θ^{(2)} and Σ^{(2)}(x, x) itself and
    passes them here with ``layer=2``.

    Attributes:
        layer: k ∈ [1, L + 1] (L + 1: the given kernels are the output's).
        nngp: Σ^{(k)}(x1, x2), [n1, n2] (or [K, n1, n2] per position when steps[k] is a :class:`GraphonStep`).
        ntk: Θ^{(k)}(x1, x2), shaped like ``nngp``.
        var1: Σ^{(k)}(x, x) on x1, [n1] (or [K, n1]).
        var2: the same on x2, or ``None`` when x2 = x1 (the result is then exactly symmetric; ``nngp`` and ``ntk``
            must be symmetric).
        log2_scale: an even integer k: the true kernels and variances are 2^k times the given ones (scaled form
            of :mod:`theorycheck.kernels.scaling`, for kernels beyond float64's range).
    """

    layer: int
    nngp: torch.Tensor
    ntk: torch.Tensor
    var1: torch.Tensor
    var2: torch.Tensor | None = None
    log2_scale: int = 0

    def positions(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(nngp, ntk, var1, var2) with a leading position axis ([K, n1, n2], [K, n1], [K, n2]).

        Raises:
            ValueError: if the shapes are inconsistent.
        """
        nngp = self.nngp if self.nngp.dim() == 3 else self.nngp[None]
        ntk = self.ntk if self.ntk.dim() == 3 else self.ntk[None]
        v1 = self.var1 if self.var1.dim() == 2 else self.var1[None]
        v2 = None if self.var2 is None else (self.var2 if self.var2.dim() == 2 else self.var2[None])
        k, n1, n2 = nngp.shape
        if ntk.shape != nngp.shape or v1.shape != (k, n1) or (v2 is not None and v2.shape != (k, n2)) or (
                v2 is None and n1 != n2):
            raise ValueError(f"start: nngp/ntk must be [n1, n2] (or [K, n1, n2]) with var1 [n1] and var2 [n2] (None "
                             f"when x2 = x1); got nngp {tuple(self.nngp.shape)}, ntk {tuple(self.ntk.shape)}, var1 "
                             f"{tuple(self.var1.shape)}, var2 {None if self.var2 is None else tuple(self.var2.shape)}")
        return nngp, ntk, v1, v2


def check_steps(steps: list | None, depth: int) -> list[Step]:
    """Per weight matrix (``depth`` + 1 of them) a :class:`KernelStep` or :class:`GraphonStep`.

    Args:
        steps: ``None`` (dense), or one entry per weight matrix: a :class:`KernelStep`, a tuple (α, β, γ), a
            :class:`GraphonStep` or a 2-D tensor of graphon values.
        depth: the number of hidden layers L.

    Returns:
        The list of steps.

    Raises:
        ValueError: for the wrong number of steps, or position grids that do not chain (the output grid of matrix
            l must be the input grid of matrix l + 1, and the readout has one output position).
        TypeError: for an entry that is not a step.
    """
    if steps is None:
        return [KernelStep()] * (depth + 1)
    if len(steps) != depth + 1:
        raise ValueError(f"steps must have depth + 1 = {depth + 1} entries (one per weight matrix), got {len(steps)}")
    out: list[Step] = []
    for i, s in enumerate(steps):
        if isinstance(s, GraphonStep):
            out.append(s)
        elif isinstance(s, torch.Tensor):
            out.append(GraphonStep(s))
        elif isinstance(s, (tuple, list)) and len(s) == 3:
            out.append(KernelStep(*(float(v) for v in s)))
        else:
            raise TypeError(f"steps[{i}] must be a KernelStep, an (α, β, γ) tuple or a GraphonStep, got {s!r}")
    for i in range(1, depth + 1):
        if out[i].k_in != out[i - 1].k_out:
            raise ValueError(f"steps[{i}] reads {out[i].k_in} positions but steps[{i - 1}] gives {out[i - 1].k_out}")
    if out[-1].k_out != 1:
        raise ValueError(f"the readout step must have one output position, got {out[-1].k_out}")
    return out
