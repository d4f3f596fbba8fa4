r"""The mean-field ODE for (v, a) of Montanari & Urbani (NeurIPS 2025, eq. 2.10, one index k = 1).

In the limit n, d → ∞ with n/d → αm, then m → ∞, every neuron has the same overlap v = ⟨u, w⟩ and weight a, and

    v̇ = α a (1 − v²)(φ̂'(v) − a h'(v²) v),    ȧ = α (φ̂(v) − a h(v²)),
    e_mf = ½(τ² + ‖φ‖² − 2aφ̂(v) + a²h(v²)).

It is the projected gradient flow v̇ = −α(1 − v²) ∂_v e_mf, ȧ = −α ∂_a e_mf. When φ̂ = h and h'(0) > 0, (v, a) = (1, 1)
is the unique fixed point with v > 0, where e_mf = τ²/2 (the Bayes error); the approach is slow (algebraic),
because (1 − v²) and h'(v) − h'(v²)v both vanish at v = 1.

Docs: ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .._validation import check_int, check_real
from .model import SphereTask

__all__ = ["mean_field_rhs", "solve_mean_field", "MeanFieldPath", "A0_MAX"]

#: Largest |a0| :func:`solve_mean_field` accepts. The mean-field initialisation is O(1); the overlap's rate grows like
#: α a0², so a much larger a0 makes eq. 2.10 stiff and the explicit integrator's step count grow like α a0² t_max.
A0_MAX = 100.0


def _check_task(task: object) -> SphereTask:
    if not isinstance(task, SphereTask):
        raise TypeError(f"task must be a SphereTask, got {type(task).__name__}")
    return task


def mean_field_rhs(task: SphereTask, alpha: float, v: float, a: float) -> tuple[float, float]:
    """(v̇, ȧ) of eq. 2.10 at (v, a).

    Args:
        task: the teacher task (gives h, φ̂).
        alpha: α = n/(md) > 0.
        v: overlap ⟨u, w⟩ in [−1, 1].
        a: second-layer weight.

    Returns:
        ``(v̇, ȧ)``.

    Raises:
        TypeError: if ``task`` is not a :class:`~theorycheck.mean_field.model.SphereTask`.
    """
    _check_task(task)
    ph = task.phi_hat
    vdot = alpha * a * (1.0 - v * v) * (ph.derivative(v) - a * task.student.kernel_derivative(v * v) * v)
    adot = alpha * (ph(v) - a * task.h(v * v))
    return float(vdot), float(adot)


@dataclass(frozen=True)
class MeanFieldPath:
    """A solution of the mean-field ODE on the grid ``t``: overlaps ``v``, weights ``a``, errors ``e_mf``."""

    t: list[float]
    v: list[float]
    a: list[float]
    e_mf: list[float]


def solve_mean_field(task: SphereTask, alpha: float, t_max: float, *, v0: float = 0.0, a0: float = 1.0,
                     points: int = 401, rtol: float = 1e-10, atol: float = 1e-12) -> MeanFieldPath:
    """Integrate eq. 2.10 from (v0, a0) to t_max with an adaptive 8th-order Runge–Kutta (scipy DOP853).

    Args:
        task: the teacher task.
        alpha: α = n/(md) > 0.
        t_max: final time > 0.
        v0: initial overlap in [−1, 1] (0: a uniform W(0) as d → ∞).
        a0: initial second-layer weight (mean-field initialisation: O(1)), |a0| ≤ :data:`A0_MAX` = 100.
        points: number of equally spaced output times, an integer ≥ 2, 0 … t_max.
        rtol, atol: integrator tolerances (> 0).

    Returns:
        The :class:`MeanFieldPath`.

    Raises:
        TypeError: for a ``task`` that is not a :class:`~theorycheck.mean_field.model.SphereTask`, a non-integer
            ``points`` or non-real numbers.
        ValueError: for α ≤ 0, t_max ≤ 0, |v0| > 1, |a0| > 100, points < 2, non-positive tolerances, or a failed
            (or non-finite) integration.
    """
    from scipy.integrate import solve_ivp

    _check_task(task)
    alpha = check_real("alpha", alpha, minimum=0.0, min_inclusive=False)
    t_max = check_real("t_max", t_max, minimum=0.0, min_inclusive=False)
    v0 = check_real("v0", v0, minimum=-1.0, maximum=1.0)
    a0 = check_real("a0", a0, minimum=-A0_MAX, maximum=A0_MAX)
    rtol = check_real("rtol", rtol, minimum=0.0, min_inclusive=False)
    atol = check_real("atol", atol, minimum=0.0, min_inclusive=False)
    points = check_int("points", points, minimum=2)
    grid = np.linspace(0.0, t_max, points)
    with np.errstate(all="ignore"), warnings.catch_warnings():  # a failure is reported below, as a ValueError
        warnings.simplefilter("ignore", RuntimeWarning)
        sol = solve_ivp(lambda t, y: mean_field_rhs(task, alpha, y[0], y[1]), (0.0, t_max), [v0, a0],
                        method="DOP853", t_eval=grid, rtol=rtol, atol=atol)
    if not sol.success or not np.isfinite(sol.y).all():
        raise ValueError(f"the mean-field ODE integration failed ({sol.message}) from (v0, a0) = ({v0:g}, {a0:g}) "
                         f"with alpha = {alpha:g}")
    v, a = sol.y
    e = task.mean_field_error(v, a)
    return MeanFieldPath(t=grid.tolist(), v=v.tolist(), a=a.tolist(), e_mf=np.asarray(e, dtype=float).tolist())
