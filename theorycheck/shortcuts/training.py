r"""Population gradient descent of the CNN and the ResNet, batched over independent runs.

Each run r has a teacher (a*_r, v*_r), a start a_r(0), w_r(0), a shortcut flag (u = s + w for the ResNet, u = w for
the CNN) and its own filter step size. One step, with the exact gradients of
:func:`~theorycheck.shortcuts.population.population_gradients`:

    a ← a − η_a ∇_a L,      w ← w − η_w ∇_w L.

Using η_w ≪ η_a lets a equilibrate to a(φ) = C(0)⁻¹C(φ)a* before the filter moves; the filter then moves towards
v* iff a(φ)ᵀa* > 0, which for a* mostly orthogonal to 1 holds iff φ < π/2 (our reading of the paper's "Stage I" and
"adaptive step sizes", [?]). Docs: ``docs/theory/beyond_kernel.md#shortcut-connections``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import torch

from .._validation import check_int, check_real, check_seed, resolve_device
from .population import angle, critical_angle, population_gradients, population_loss

__all__ = ["ShortcutRuns", "teacher_second_layer", "filter_at_angle", "uniform_ball", "unit_vectors",
           "population_gd", "PopulationGDResult", "success_experiment"]


def unit_vectors(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    """n directions uniform on S^{dim−1} ([n, dim], float64)."""
    x = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True)


def uniform_ball(n: int, dim: int, generator: torch.Generator, radius: float = 1.0) -> torch.Tensor:
    """n points uniform in the ball of ``radius`` in R^dim (direction × radius·U^{1/dim})."""
    radius = check_real("radius", radius, minimum=0.0, min_inclusive=False)
    r = torch.rand(n, 1, generator=generator, dtype=torch.float64) ** (1.0 / dim)
    return radius * r * unit_vectors(n, dim, generator)


def teacher_second_layer(n: int, k: int, generator: torch.Generator, ones_fraction: float = 0.05) -> torch.Tensor:
    """a* = √k (√(1 − f) e + √f 1/√k), e uniform on the unit sphere of 1^⊥: a zero-mean direction plus a small
    component along 1 carrying a fraction f = ``ones_fraction`` of ‖a*‖² = k ([R]: the paper's teacher distribution
    was not read; "mostly orthogonal to 1" is what makes (−v*, a_s) a local minimum).

    Args:
        n: number of teachers.
        k: number of patches (≥ 2, so that 1^⊥ is not empty).
        generator: the random source.
        ones_fraction: f in [0, 1].

    Returns:
        [n, k] float64.
    """
    k = check_int("k", k, minimum=2)
    ones_fraction = check_real("ones_fraction", ones_fraction, minimum=0.0, maximum=1.0)
    g = torch.randn(n, k, generator=generator, dtype=torch.float64)
    g = g - g.mean(dim=1, keepdim=True)
    e = g / g.norm(dim=1, keepdim=True)
    return math.sqrt(k) * (math.sqrt(1.0 - ones_fraction) * e + math.sqrt(ones_fraction / k))


def filter_at_angle(shortcut: torch.Tensor, theta: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Unit filters v* at angle θ_r from the unit ``shortcut`` s, in a uniformly random direction orthogonal to s.

    Args:
        shortcut: s, shape [p], unit norm.
        theta: angles in [0, π], shape [n].
        generator: for the orthogonal directions.

    Returns:
        [n, p] unit vectors with ∠(s, v*_r) = θ_r.
    """
    if bool(((theta < 0) | (theta > math.pi)).any()):
        raise ValueError("theta must lie in [0, π]")
    s = shortcut / shortcut.norm()
    r = torch.randn(theta.shape[0], s.shape[0], generator=generator, dtype=torch.float64)
    r = r - (r @ s)[:, None] * s[None, :]
    r = r / r.norm(dim=1, keepdim=True)
    return torch.cos(theta)[:, None] * s[None, :] + torch.sin(theta)[:, None] * r


@dataclass(frozen=True)
class ShortcutRuns:
    """A batch of R runs: teachers, starts, which runs have the shortcut, and each run's filter step.

    Shapes are strict (nothing is broadcast across runs): every per-run tensor has R rows.

    Attributes:
        a_star: [R, k]. v_star: [R, p], non-zero (unit in practice). a0: [R, k]. w0: [R, p].
        residual: [R] bool (True: u = s + w).
        shortcut: s, [p], non-zero (unit in practice).
        lr_w: [R] filter steps, each > 0.

    Raises:
        TypeError: for a field that is not a torch tensor, a non-floating one (``residual`` excepted), or a
            ``residual`` whose dtype is not ``torch.bool``.
        ValueError: for R = 0, k = 0 or p = 0, a shape other than the above, non-finite entries, a zero ``v_star`` row
            or ``shortcut``, or a non-positive ``lr_w``.
    """

    a_star: torch.Tensor
    v_star: torch.Tensor
    a0: torch.Tensor
    w0: torch.Tensor
    residual: torch.Tensor
    shortcut: torch.Tensor
    lr_w: torch.Tensor

    def __post_init__(self) -> None:
        for name in ("a_star", "v_star", "a0", "w0", "residual", "shortcut", "lr_w"):
            t = getattr(self, name)
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"ShortcutRuns.{name} must be a torch tensor, got {type(t).__name__}")
            if name == "residual":
                if t.dtype != torch.bool:
                    raise TypeError(f"ShortcutRuns.residual must be a bool tensor of shape [R] (True: u = s + w), got "
                                    f"dtype {t.dtype}")
                continue
            if not t.is_floating_point():
                raise TypeError(f"ShortcutRuns.{name} must be a floating-point tensor (float64), got dtype {t.dtype}")
            if not bool(torch.isfinite(t).all()):
                raise ValueError(f"ShortcutRuns.{name} must be finite (it contains NaN or ±inf)")
        if self.a_star.dim() != 2 or self.a_star.shape[0] == 0 or self.a_star.shape[1] == 0:
            raise ValueError(f"ShortcutRuns.a_star must have shape [R, k] with R, k ≥ 1, got "
                             f"{list(self.a_star.shape)}")
        if self.shortcut.dim() != 1 or self.shortcut.shape[0] == 0:
            raise ValueError(f"ShortcutRuns.shortcut must have shape [p] with p ≥ 1, got {list(self.shortcut.shape)}")
        r, k = self.a_star.shape
        p = self.shortcut.shape[0]
        want = {"v_star": (r, p), "a0": (r, k), "w0": (r, p), "residual": (r,), "lr_w": (r,)}
        for name, shape in want.items():
            got = tuple(getattr(self, name).shape)
            if got != shape:
                dims = {"v_star": "[R, p]", "a0": "[R, k]", "w0": "[R, p]", "residual": "[R]", "lr_w": "[R]"}[name]
                raise ValueError(f"ShortcutRuns.{name} must have shape {dims} = {list(shape)} (R = {r} runs from "
                                 f"a_star, k = {k}, p = {p} from shortcut; nothing is broadcast across runs), got "
                                 f"{list(got)}")
        if not float(self.shortcut.norm()) > 0:
            raise ValueError("ShortcutRuns.shortcut must be non-zero (the shortcut filter s has a direction)")
        if not bool((self.v_star.norm(dim=1) > 0).all()):
            raise ValueError("ShortcutRuns.v_star must have non-zero rows (each teacher filter has a direction)")
        if not bool((self.lr_w > 0).all()):
            raise ValueError("ShortcutRuns.lr_w must be > 0 for every run")

    def filters(self, w: torch.Tensor) -> torch.Tensor:
        """The raw filter u = s + w (ResNet runs) or w (CNN runs)."""
        return w + self.residual[:, None].to(w.dtype) * self.shortcut[None, :]


@dataclass(frozen=True)
class PopulationGDResult:
    """Per run: the initial and final angle to v*, the final loss, ‖a − a*‖, whether it succeeded and whether it
    diverged (an iterate overflowed; such a run keeps its last finite iterate, and is not a success)."""

    phi0: list[float]
    phi: list[float]
    loss: list[float]
    a_error: list[float]
    success: list[bool]
    diverged: list[bool] = field(default_factory=list)


def population_gd(runs: ShortcutRuns, *, lr_a: float, steps: int, tol: float = 1e-3, device=None
                  ) -> PopulationGDResult:
    """Run population GD on every run of the batch for ``steps`` steps; a run succeeds when its final angle to v* is
    below ``tol`` and ‖a − a*‖ < ``tol`` (it found the global minimum).

    A run whose iterate becomes non-finite (the step ``lr_a`` or its ``lr_w`` is too large for it) is stopped at its
    last finite iterate, recorded in ``diverged`` and counted as not successful; the other runs go on. A
    ``UserWarning`` says how many diverged.

    Args:
        runs: the batch.
        lr_a: second-layer step η_a > 0.
        steps: number of steps (≥ 1).
        tol: success tolerance > 0.
        device: torch device (CPU default).

    Returns:
        The :class:`PopulationGDResult`.

    Raises:
        TypeError: if ``runs`` is not a :class:`ShortcutRuns`.
        ValueError: for a non-positive step or tolerance.
    """
    if not isinstance(runs, ShortcutRuns):
        raise TypeError(f"runs must be a ShortcutRuns, got {type(runs).__name__}")
    lr_a = check_real("lr_a", lr_a, minimum=0.0, min_inclusive=False)
    steps = check_int("steps", steps, minimum=1)
    tol = check_real("tol", tol, minimum=0.0, min_inclusive=False)
    dev = resolve_device(device)
    a_star, v_star = runs.a_star.to(dev), runs.v_star.to(dev)
    a, w = runs.a0.clone().to(dev), runs.w0.clone().to(dev)
    res = ShortcutRuns(a_star, v_star, a, w, runs.residual.to(dev), runs.shortcut.to(dev), runs.lr_w.to(dev))
    lr_w = res.lr_w[:, None]
    phi0 = angle(res.filters(w), v_star)
    diverged = torch.zeros(a.shape[0], dtype=torch.bool, device=dev)
    for _ in range(steps):
        ga, gw = population_gradients(a, res.filters(w), a_star, v_star)
        a_new = a - lr_a * ga
        w_new = w - lr_w * gw
        ok = (torch.isfinite(a_new).all(dim=1) & torch.isfinite(w_new).all(dim=1)
              & (res.filters(w_new).norm(dim=1) > 0) & torch.isfinite(res.filters(w_new).norm(dim=1)))
        diverged = diverged | ~ok
        a = torch.where(diverged[:, None], a, a_new)  # a diverged run keeps its last finite iterate
        w = torch.where(diverged[:, None], w, w_new)
    u = res.filters(w)
    loss = population_loss(a, u, a_star, v_star)
    diverged = diverged | ~torch.isfinite(loss)
    phi = angle(u, v_star)
    err = (a - a_star).norm(dim=1)
    n_div = int(diverged.sum())
    if n_div:
        warnings.warn(f"population GD diverged in {n_div} of {len(diverged)} runs (lr_a = {lr_a:g} or their lr_w too "
                      "large); they are recorded as diverged and not successful", UserWarning, stacklevel=2)
    return PopulationGDResult(phi0=phi0.tolist(), phi=phi.tolist(), loss=loss.tolist(), a_error=err.tolist(),
                              success=((phi < tol) & (err < tol) & ~diverged).tolist(), diverged=diverged.tolist())


def success_experiment(p: int, k: int, runs: int, resnet_angles: tuple[float, ...], lr_ws: tuple[float, ...], *,
                       lr_a: float, steps: int, seed: int, ones_fraction: float = 0.05, tol: float = 1e-3,
                       device=None) -> dict:
    """ResNet runs from w(0) = 0 with the teacher filter at each angle of ``resnet_angles`` (units of π) to s = e₁,
    and CNN runs from a uniformly random unit w(0), each with ``runs`` runs per filter step in ``lr_ws``; a(0) uniform
    in the unit ball, a* from :func:`teacher_second_layer`; all in one batch.

    Args:
        p: patch dimension (≥ 2). k: number of patches (≥ 2). runs: runs per cell (≥ 1).
        resnet_angles: ∠(s, v*) / π for the ResNet cells, each in [0, 1].
        lr_ws: filter steps η_w > 0.
        lr_a, steps, tol, device: as :func:`population_gd`.
        seed: the batch's seed (teachers, starts, directions), in [0, 2⁶⁴ − 1].
        ones_fraction: the fraction of ‖a*‖² along 1.

    Returns:
        ``{"resnet": [row], "cnn": [row]}``, one row per cell with ``lr_w``, per-run lists ``success``, ``diverged``
        (the step was too large for that run: it is not a success; see :func:`population_gd`), ``phi0``
        (initial angle to v*), ``phi`` (final angle), ``phi_c`` (:func:`critical_angle` of the run's a*), and for the
        ResNet the teacher ``angle`` (units of π).

    Raises:
        TypeError: naming the parameter, for a ``resnet_angles`` or ``lr_ws`` that is not a sequence, non-integer
            sizes or seed.
        ValueError: naming the parameter, for empty schedules, out-of-range angles, bad sizes or a seed outside
            [0, 2⁶⁴ − 1].
    """
    p = check_int("p", p, minimum=2)
    k = check_int("k", k, minimum=2)
    runs = check_int("runs", runs, minimum=1)
    for name, seq in (("resnet_angles", resnet_angles), ("lr_ws", lr_ws)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__") or not hasattr(seq, "__iter__"):
            raise TypeError(f"{name} must be a sequence of real numbers (e.g. ({seq!r},)), got "
                            f"{type(seq).__name__}")
    if len(lr_ws) == 0:
        raise ValueError("lr_ws must hold at least one filter step size, got an empty schedule")
    lr_ws = tuple(check_real("lr_ws", x, minimum=0.0, min_inclusive=False) for x in lr_ws)
    resnet_angles = tuple(check_real("resnet_angles", x, minimum=0.0, maximum=1.0) for x in resnet_angles)
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
    s = torch.zeros(p, dtype=torch.float64)
    s[0] = 1.0
    cells = [("resnet", th, lr) for th in resnet_angles for lr in lr_ws] + [("cnn", math.nan, lr) for lr in lr_ws]
    if not cells:
        raise ValueError("nothing to run: resnet_angles and lr_ws are empty")
    n = runs * len(cells)
    a_star = teacher_second_layer(n, k, gen, ones_fraction)
    a0 = uniform_ball(n, k, gen)
    theta = torch.tensor([math.pi * (th if kind == "resnet" else 0.5) for kind, th, _ in cells for _ in range(runs)],
                         dtype=torch.float64)
    v_star = filter_at_angle(s, theta, gen)
    cnn_v = unit_vectors(n, p, gen)  # CNN teachers: a uniform direction, independent of s
    residual = torch.tensor([kind == "resnet" for kind, _, _ in cells for _ in range(runs)])
    v_star = torch.where(residual[:, None], v_star, cnn_v)
    w0 = torch.where(residual[:, None], torch.zeros(n, p, dtype=torch.float64), unit_vectors(n, p, gen))
    lr_w = torch.tensor([lr for _, _, lr in cells for _ in range(runs)], dtype=torch.float64)
    out = population_gd(ShortcutRuns(a_star, v_star, a0, w0, residual, s, lr_w), lr_a=lr_a, steps=steps, tol=tol,
                        device=device)
    phi_c = critical_angle(a_star).tolist()
    result: dict = {"resnet": [], "cnn": []}
    for c, (kind, th, lr) in enumerate(cells):
        sl = slice(c * runs, (c + 1) * runs)
        row = {"lr_w": lr, "success": out.success[sl], "diverged": out.diverged[sl], "phi0": out.phi0[sl],
               "phi": out.phi[sl], "phi_c": phi_c[sl]}
        if kind == "resnet":
            row["angle"] = th
        result[kind].append(row)
    return result
