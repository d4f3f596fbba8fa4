r"""Per-layer weight scales: a σ_w *schedule* over the weight matrices of an MLP (docs/theory/depth_init.md).

An MLP with L hidden layers has L + 1 weight matrices, indexed l = 0, …, L (0 = the input layer, L = the readout).
A schedule gives matrix l its own scale σ_w[l]; a single number is the same scale everywhere. Every path that
evaluates the network or its limit (the finite network, the float64 recursion, the 50-digit recursion, the pruned
and graphon paths) reads the schedule through :func:`layer_sigma_w`.

:func:`depth_schedule` builds the depth-increasing family the package checks for Pandey's "depth-aware
initialisation" (arXiv 2509.05018; only the abstract was read, so the paper's exact rule is unknown [?]):

.. math::

    \sigma_w^2[0] = c_\varphi, \qquad \sigma_w^2[l] = c_\varphi\, r^{1/L} \quad (l = 1, \dots, L),

so the matrices after the input layer multiply the variance by s = r^{1/L} each and the total factor is P = r
(c_φ = 2 for ReLU: He's initialisation).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from .._validation import check_int, check_real

__all__ = ["layer_sigma_w", "depth_schedule", "schedule_product", "relu_variance_profile"]


def layer_sigma_w(sigma_w: Any, depth: int, name: str = "sigma_w") -> tuple[float, ...]:
    """The scale σ_w[l] of each of the ``depth + 1`` weight matrices (docs/theory/depth_init.md).

    Args:
        sigma_w: one real σ_w > 0 (every matrix) or a sequence of ``depth + 1`` reals > 0, input layer first and
            the readout last.
        depth: the number of hidden layers L ≥ 0.
        name: how errors refer to the argument.

    Returns:
        A tuple of ``depth + 1`` finite positive floats.

    Raises:
        ValueError: for an empty sequence, a sequence of the wrong length, or an entry that is not finite and > 0
            (the message names the index, e.g. ``sigma_w[3]``).
        TypeError: for an entry (or a scalar) that is not a real number.
    """
    depth = check_int("depth", depth, minimum=0)
    if isinstance(sigma_w, numbers.Real) and not isinstance(sigma_w, bool):
        return (check_real(name, sigma_w, minimum=0.0, min_inclusive=False),) * (depth + 1)
    if isinstance(sigma_w, (str, bytes)) or not isinstance(sigma_w, Sequence) and not hasattr(sigma_w, "__len__"):
        raise TypeError(f"{name} must be a real number > 0 or a sequence of depth + 1 = {depth + 1} of them, "
                        f"got {type(sigma_w).__name__}")
    values = list(sigma_w.tolist() if hasattr(sigma_w, "tolist") else sigma_w)
    if len(values) == 0:
        raise ValueError(f"{name} must not be empty: give one scale per weight matrix (depth + 1 = {depth + 1})")
    if len(values) != depth + 1:
        raise ValueError(f"{name} must have depth + 1 = {depth + 1} entries (input layer first, readout last), "
                         f"got {len(values)}")
    return tuple(check_real(f"{name}[{i}]", v, minimum=0.0, min_inclusive=False) for i, v in enumerate(values))


def depth_schedule(depth: int, r: float, base: float = math.sqrt(2.0)) -> list[float]:
    r"""The depth-increasing σ_w schedule: σ_w²[0] = base², σ_w²[l] = base²·r^{1/L} for l = 1..L.

    A family in the spirit of Pandey, "Depth-Aware Initialization for Stable and Efficient Neural Network
    Training" (arXiv 2509.05018): the variance grows from the first to the last layer, as a function of the
    layer's depth and the total depth. The paper's exact rule is unknown (abstract only, [?]); this is the family
    the package checks (docs/theory/depth_init.md). For ReLU without bias, ``base = √2`` (He) makes the network
    exactly He's times √r at the output (:func:`schedule_product` gives P = r).

    Args:
        depth: the number of hidden layers L ≥ 1.
        r: the total variance factor P = r > 0 (r > 1 increases the variance with depth, r < 1 decreases it,
            r = 1 is the constant schedule ``base``).
        base: the reference scale √c_φ > 0 (√2: He for ReLU; 1 for tanh).

    Returns:
        ``depth + 1`` values of σ_w (not squared), input layer first, ready for ``MLP(sigma_w=...)``.

    Raises:
        ValueError: for L < 1, r or base not finite and > 0.
    """
    depth = check_int("depth", depth, minimum=1)
    r = check_real("r", r, minimum=0.0, min_inclusive=False)
    base = check_real("base", base, minimum=0.0, min_inclusive=False)
    step = base * r ** (0.5 / depth)
    return [base] + [step] * depth


def schedule_product(sigma_w: Sequence[float], base: float = math.sqrt(2.0)) -> float:
    r"""P = Π_l σ_w²[l]/base²: the factor by which a ReLU network without bias scales He's NNGP and NTK.

    Args:
        sigma_w: the per-matrix scales (any length ≥ 1).
        base: the reference scale (√2 for He).

    Returns:
        P as a float (computed in log space).

    Raises:
        ValueError: for an empty schedule or a non-positive entry.
    """
    values = layer_sigma_w(list(sigma_w), len(sigma_w) - 1) if len(sigma_w) else layer_sigma_w([], 0)
    base = check_real("base", base, minimum=0.0, min_inclusive=False)
    return math.exp(sum(2.0 * (math.log(v) - math.log(base)) for v in values))


def relu_variance_profile(sigma_w: Sequence[float], q_in: float) -> dict[str, list[float]]:
    r"""Infinite-width forward and backward variances of a ReLU MLP without bias under a σ_w schedule.

    With matrices l = 0..L (σ_w[l]; docs/theory/depth_init.md) and q_in = mean ‖x‖²/d of the inputs:

    .. math::

        q_1 = \sigma_w^2[0]\, q_{in}, \qquad q_{l+1} = \tfrac12 \sigma_w^2[l]\, q_l, \qquad
        D_l = \mathbb E\lVert\delta_l\rVert^2 = \prod_{k=l}^{L} \tfrac12 \sigma_w^2[k]

    for hidden layers l = 1..L (E[relu(u)²] = q/2 and E[relu'(u)²] = 1/2 for u ~ N(0, q)), so
    q_l·D_l = q_in σ_w²[0] Π_{k=1}^{L} σ_w²[k]/2 is the same at every layer (q_in·2P for a schedule of base √2).

    Args:
        sigma_w: the ``L + 1`` scales (L ≥ 1).
        q_in: mean ‖x‖²/d > 0.

    Returns:
        ``{"q": [q_1..q_L], "delta2": [D_1..D_L]}``.

    Raises:
        ValueError: for fewer than two scales, a non-positive scale or q_in.
    """
    if len(sigma_w) < 2:
        raise ValueError(f"sigma_w must hold L + 1 >= 2 scales (at least one hidden layer), got {len(sigma_w)}")
    s = layer_sigma_w(list(sigma_w), len(sigma_w) - 1)
    q_in = check_real("q_in", q_in, minimum=0.0, min_inclusive=False)
    depth = len(s) - 1
    q = [s[0] ** 2 * q_in]
    for layer in range(1, depth):
        q.append(0.5 * s[layer] ** 2 * q[-1])
    delta2 = [0.0] * depth
    acc = 1.0
    for layer in range(depth, 0, -1):  # D_l = Π_{k=l}^{L} σ_w²[k]/2, hidden layer l = 1..L
        acc *= 0.5 * s[layer] ** 2
        delta2[layer - 1] = acc
    return {"q": q, "delta2": delta2}
