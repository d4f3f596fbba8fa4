"""Claims about shortcut connections in a two-layer non-overlapping ReLU CNN (Liu, Chen, Zhou, Du, Zhou, Zhao,
NeurIPS 2019, arXiv 1909.04653; ``docs/theory/beyond_kernel.md#shortcut-connections``).

The model is reconstructed [R] (the paper's full text was not read): k Gaussian patches in R^p, one filter shared by
all patches, weight normalisation, a teacher (v*, a*). The CNN uses the filter w; the ResNet uses s + w with a fixed
unit shortcut s and w(0) = 0. Two exact pieces (the closed-form population loss and gradients, the spurious local
minimum) and three population-GD claims that share one sweep over (p, k): the ResNet succeeds when the teacher lies
within 90° of the shortcut and a equilibrates first; the CNN's fate is decided by the half-space of its random start;
a large filter step breaks the ResNet's advantage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import values_vs_bounds

if TYPE_CHECKING:  # annotations only; the modules are imported where they are used
    import torch

__all__ = ["ClosedFormConfig", "SpuriousConfig", "ShortcutConfig", "closed_form_point", "shortcut_point",
           "shortcut_sweep", "SHORTCUT_CONFIGS"]

SOURCE = ("Liu, Chen, Zhou, Du, Zhou, Zhao, 'Towards Understanding the Importance of Shortcut Connections in Residual "
          "Networks' (NeurIPS 2019, arXiv 1909.04653); base model Du, Lee, Tian, Póczos, Singh (ICML 2018)")
DOCS = "docs/theory/beyond_kernel.md#shortcut-connections"
MODEL = ("[R] f(Z) = Σ_j a_j ReLU(Z_jᵀu/‖u‖), Z_j i.i.d. N(0, I_p) non-overlapping patches; CNN u = w, ResNet "
         "u = s + w with a fixed unit shortcut s and w(0) = 0 (weight normalisation = batch normalisation for Gaussian "
         "patches); teacher f* = Σ_j a*_j ReLU(Z_jᵀv*), loss ½E(f − f*)²")
TEACHER = ("[R] teacher a* = √k(√(1 − f)e + √f·1/√k), e uniform in 1^⊥ (f the fraction of ‖a*‖² along 1); v* at a "
           "prescribed angle to s (ResNet) or uniform (CNN); a(0) uniform in the unit ball")


# ------------------------------------------------------------------------------------------ 1. closed form
@dataclass(frozen=True)
class ClosedFormConfig:
    """Random (a, u, a*, v*) for each (p, k) of ``sizes``, for the CNN (u = w) and the ResNet (u = s + w): the
    closed-form loss against ``samples`` Monte Carlo inputs, the gradients against central differences (step
    ``fd_step``)."""

    sizes: tuple[tuple[int, int], ...]
    samples: int
    level: float = 0.01
    fd_step: float = 1e-5
    max_fd_error: float = 1e-8
    ones_fraction: float = 0.05


CLOSED_FORM_CONFIGS = {
    "small": ClosedFormConfig(sizes=((4, 2), (8, 4), (6, 3), (16, 8), (10, 5)), samples=400_000),
    "paper": ClosedFormConfig(sizes=((4, 2), (8, 4), (6, 3), (16, 8), (10, 5), (32, 16), (64, 32)),
                              samples=4_000_000),
}


def _finite_difference(fn, x: torch.Tensor, h: float) -> torch.Tensor:
    import torch
    grad = torch.zeros_like(x)
    for i in range(x.shape[0]):
        e = torch.zeros_like(x)
        e[i] = h
        grad[i] = (fn(x + e) - fn(x - e)) / (2 * h)
    return grad


def closed_form_point(p: int, k: int, residual: bool, samples: int, fd_step: float, ones_fraction: float,
                      seed: int) -> dict:
    """One random configuration: exact loss beside Monte Carlo, and the analytic gradients' largest deviation from
    central differences (a sweep point)."""
    import torch

    from ..shortcuts import (
        monte_carlo_loss,
        population_gradients,
        population_loss,
        teacher_second_layer,
        uniform_ball,
        unit_vectors,
    )
    gen = torch.Generator().manual_seed(seed)
    a_star = teacher_second_layer(1, k, gen, ones_fraction)[0]
    v_star = unit_vectors(1, p, gen)[0]
    a = uniform_ball(1, k, gen, radius=math.sqrt(k))[0]
    w = torch.randn(p, generator=gen, dtype=torch.float64) / math.sqrt(p)
    s = torch.zeros(p, dtype=torch.float64)
    s[0] = 1.0
    shortcut = s if residual else torch.zeros_like(s)
    exact = float(population_loss(a, shortcut + w, a_star, v_star))
    mc, se = monte_carlo_loss(a, shortcut + w, a_star, v_star, samples, seed=seed + 1)
    ga, gw = population_gradients(a, shortcut + w, a_star, v_star)
    fa = _finite_difference(lambda x: float(population_loss(x, shortcut + w, a_star, v_star)), a, fd_step)
    fw = _finite_difference(lambda x: float(population_loss(a, shortcut + x, a_star, v_star)), w, fd_step)
    return {"exact": exact, "mc": mc, "se": se, "z": (mc - exact) / se,
            "fd_error": float(max((ga - fa).abs().max(), (gw - fw).abs().max())),
            "grad_scale": float(max(ga.abs().max(), gw.abs().max()))}


def _closed_measure(cfg: ClosedFormConfig, ctx: Context) -> dict:
    from scipy import stats as _st

    from ..nn.monte_carlo import child_seeds
    cells = [(p, k, res) for p, k in cfg.sizes for res in (False, True)]
    seeds = child_seeds(ctx.seed + 71, len(cells))
    points = [dict(p=p, k=k, residual=res, samples=cfg.samples, fd_step=cfg.fd_step, ones_fraction=cfg.ones_fraction,
                   seed=sd) for (p, k, res), sd in zip(cells, seeds)]
    rows = ctx.sweep(closed_form_point, points, "shortcut: closed form vs Monte Carlo and finite differences")
    out = {key: [r["result"][key] for r in rows] for key in ("exact", "mc", "se", "z", "fd_error", "grad_scale")}
    out["labels"] = [f"{'ResNet' if res else 'CNN'} p={p} k={k}" for p, k, res in cells]
    out["z_bound"] = float(_st.norm.ppf(1 - cfg.level / (2 * len(cells))))
    return out


def _closed_judge(cfg: ClosedFormConfig, d: dict) -> list[Check]:
    return [
        Check(f"Monte Carlo agrees with the closed-form loss (Bonferroni, family-wise {cfg.level:g})",
              max(abs(z) for z in d["z"]), d["z_bound"], "<=", "max over configurations of |MC − exact| / MC s.e."),
        Check("gradients agree with central differences", max(d["fd_error"]), cfg.max_fd_error, "<=",
              "max over configurations and coordinates of |analytic − central difference|"),
    ]


def _closed_summary(cfg: ClosedFormConfig, d: dict) -> str:
    return (f"max |z| = {max(abs(z) for z in d['z']):.2f} (≤ {d['z_bound']:.2f}) over {len(d['z'])} configurations; "
            f"max gradient error {max(d['fd_error']):.1e} (≤ {cfg.max_fd_error:g}; gradients up to "
            f"{max(d['grad_scale']):.2g})")


def _closed_plot(result: ClaimResult, others: dict) -> list:
    d = result.data
    n = len(d["z"])
    return values_vs_bounds("shortcut.population_loss.png", d["labels"], d["z"], upper=[d["z_bound"]] * n,
                            lower=[-d["z_bound"]] * n, ylabel="(MC − closed form) / standard error",
                            title="Population loss: closed form against Monte Carlo")


register(Claim(
    id="shortcut.population_loss",
    title="The population loss of the CNN and the ResNet is exact in closed form",
    statement=lambda cfg: (
        "For Gaussian patches, L(v, a) = ½[aᵀC(0)a − 2aᵀC(φ)a* + a*ᵀC(0)a*] with C(φ) = ((g(φ) − 1)I + 11ᵀ)/(2π), "
        "g(φ) = sin φ + (π − φ)cos φ, φ = ∠(u, v*): at random configurations of the CNN (u = w) and the ResNet "
        f"(u = s + w) for (p, k) ∈ {{{', '.join(f'({p}, {k})' for p, k in cfg.sizes)}}} a Monte Carlo average over "
        f"{cfg.samples} inputs agrees within the Bonferroni quantile at family-wise level {cfg.level:g}, and the "
        f"closed-form gradients agree with central differences (step {cfg.fd_step:g}) to {cfg.max_fd_error:g}."),
    source=SOURCE + "; the loss in the form of Du et al. 2018",
    docs=DOCS,
    verification="[R] model; [V-num] closed form (Monte Carlo) and gradients (finite differences)",
    assumptions=(MODEL, "degree-1 arc-cosine kernel: E ReLU(G₁)ReLU(G₂) = g(φ)/(2π) for unit Gaussians at angle φ"),
    configs=CLOSED_FORM_CONFIGS,
    measure=_closed_measure,
    judge=_closed_judge,
    summarize=_closed_summary,
    plot=_closed_plot,
    symbolic=lambda: (r"L=\tfrac12\big[a^\top C(0)a-2a^\top C(\phi)a^*+a^{*\top}C(0)a^*\big],\ "
                      r"C(\phi)=\frac{(g(\phi)-1)I+\mathbf 1\mathbf 1^\top}{2\pi}"),
))


# ------------------------------------------------------------------------------------------ 2. spurious minimum
@dataclass(frozen=True)
class SpuriousConfig:
    """At (−v*, a_s = C(0)⁻¹C(π)a*) for each k of ``ks`` (patch dimension p): gradients, loss, a_sᵀa*, and the loss
    increase under ``perturbations`` random perturbations (angle ≤ ``radius``, a-noise of norm ≤ ``radius``); the
    increase along pure rotations by ``angles`` must grow like ε³."""

    ks: tuple[int, ...]
    p: int
    perturbations: int
    radius: float = 0.1
    angles: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.1)
    ones_fraction: float = 0.05
    max_grad: float = 1e-12
    max_slope_error: float = 0.1


SPURIOUS_CONFIGS = {
    "small": SpuriousConfig(ks=(2, 4, 8, 16), p=8, perturbations=80),
    "paper": SpuriousConfig(ks=(2, 4, 8, 16, 32, 64), p=64, perturbations=1000),
}


def _rotate(v: torch.Tensor, eps: float, gen: torch.Generator) -> torch.Tensor:
    """v rotated by angle eps towards a random orthogonal direction."""
    import torch
    r = torch.randn(v.shape[0], generator=gen, dtype=torch.float64)
    r = r - (r @ v) * v
    r = r / r.norm()
    return math.cos(eps) * v + math.sin(eps) * r


def _spurious_measure(cfg: SpuriousConfig, ctx: Context) -> dict:
    import torch

    from ..nn.monte_carlo import child_seeds
    from ..shortcuts import (
        population_gradients,
        population_loss,
        spurious_point,
        teacher_second_layer,
        uniform_ball,
        unit_vectors,
    )
    from ..stats import loglog_fit
    rows = []
    for i, k in enumerate(cfg.ks):
        gen = torch.Generator().manual_seed(child_seeds(ctx.seed + 81, len(cfg.ks))[i])
        a_star = teacher_second_layer(1, k, gen, cfg.ones_fraction)[0]
        v_star = unit_vectors(1, cfg.p, gen)[0]
        a_s, v_s = spurious_point(a_star, v_star)
        ga, gw = population_gradients(a_s, v_s, a_star, v_star)
        loss = float(population_loss(a_s, v_s, a_star, v_star))
        increases = []
        for _ in range(cfg.perturbations):
            eps = cfg.radius * float(torch.rand(1, generator=gen, dtype=torch.float64))
            da = uniform_ball(1, k, gen, radius=cfg.radius)[0]
            increases.append(float(population_loss(a_s + da, _rotate(v_s, eps, gen), a_star, v_star)) - loss)
        rot = [float(population_loss(a_s, _rotate(v_s, e, gen), a_star, v_star)) - loss for e in cfg.angles]
        fit = loglog_fit(cfg.angles, rot) if all(x > 0 for x in rot) else None
        rows.append(dict(k=k, loss=loss, grad_a=float(ga.norm()), grad_w=float(gw.norm()),
                         alignment=float(a_s @ a_star) / float(a_star @ a_star), min_increase=min(increases),
                         rotation_increase=rot, rotation_slope=fit.slope if fit else math.nan))
    return {"rows": rows, "angles": list(cfg.angles)}


def _spurious_judge(cfg: SpuriousConfig, d: dict) -> list[Check]:
    rows = d["rows"]
    return [
        Check("the spurious point is critical", max(max(r["grad_a"], r["grad_w"]) for r in rows), cfg.max_grad, "<=",
              "max over k of ‖∇_a L‖, ‖∇_w L‖ at (−v*, a_s)"),
        Check("its loss is positive (not a global minimum)", min(r["loss"] for r in rows), 0.0, ">=",
              "min over k of L(−v*, a_s)"),
        Check("a_sᵀa* < 0 (the local-minimum condition)", max(r["alignment"] for r in rows), 0.0, "<=",
              "max over k of a_sᵀa* / ‖a*‖²"),
        Check("every random perturbation raises the loss", min(r["min_increase"] for r in rows), 0.0, ">=",
              f"min over k and {cfg.perturbations} perturbations (radius {cfg.radius:g}) of L − L_s"),
        Check("degenerate minimum: the loss rises like ε³ in the angle",
              max(abs(r["rotation_slope"] - 3) for r in rows), cfg.max_slope_error, "<=",
              "max over k of |log-log slope of L(rotated by ε) − L_s against ε − 3|"),
    ]


def _spurious_summary(cfg: SpuriousConfig, d: dict) -> str:
    rows = d["rows"]
    losses = ", ".join(f"{r['loss']:.3f}" for r in rows)
    slopes = ", ".join(f"{r['rotation_slope']:.3f}" for r in rows)
    return (f"L_s = {losses} at k = {', '.join(str(r['k']) for r in rows)}; "
            f"a_sᵀa*/‖a*‖² ≤ {max(r['alignment'] for r in rows):.3f} (< 0); min increase "
            f"{min(r['min_increase'] for r in rows):.1e} (> 0); rotation slopes "
            f"{slopes} (3 ± {cfg.max_slope_error:g}); max gradient "
            f"{max(max(r['grad_a'], r['grad_w']) for r in rows):.1e}")


def _spurious_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    from .plotting import loglog_axes

    d = result.data
    eps = np.asarray(d["angles"])
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for i, r in enumerate(d["rows"]):
        ax.plot(eps, r["rotation_increase"], "o-", color=f"C{i}", label=f"k={r['k']}: slope {r['rotation_slope']:.2f}")
    ref = d["rows"][0]["rotation_increase"]
    ax.plot(eps, ref[-1] * (eps / eps[-1]) ** 3, "k:", label="predicted slope 3")
    loglog_axes(ax, "rotation angle ε away from −v*", "L − L_s")
    ax.set_title("The spurious minimum is degenerate (cubic in the angle)", fontsize=9)
    fig.tight_layout()
    return [("shortcut.spurious_minimum.png", fig)]


register(Claim(
    id="shortcut.spurious_minimum",
    title="(−v*, C(0)⁻¹C(π)a*) is a spurious, degenerate local minimum",
    statement=lambda cfg: (
        f"For k ∈ {{{', '.join(map(str, cfg.ks))}}} patches in R^{cfg.p} and teachers a* mostly orthogonal to 1 "
        f"(fraction {cfg.ones_fraction:g} of ‖a*‖² along 1), the point (−v*, a_s = C(0)⁻¹C(π)a*) has gradient norm "
        f"≤ {cfg.max_grad:g}, positive loss and a_sᵀa* < 0; each of {cfg.perturbations} random perturbations "
        f"(angle and a-noise ≤ {cfg.radius:g}) raises the loss, and rotating the filter by ε raises it like ε³ "
        f"(log-log slope within {cfg.max_slope_error:g} of 3)."),
    source=SOURCE + " (the spurious local optimum, abstract); Du et al. 2018",
    docs=DOCS,
    verification="[V-src abstract] existence; [R] model; [V-num] derived conditions",
    assumptions=(MODEL, TEACHER, "g(π − ε) = sin ε − ε cos ε ≈ ε³/3, so the minimum is degenerate in the angle"),
    configs=SPURIOUS_CONFIGS,
    measure=_spurious_measure,
    judge=_spurious_judge,
    summarize=_spurious_summary,
    plot=_spurious_plot,
    symbolic=lambda: r"a_s=C(0)^{-1}C(\pi)a^*,\quad a_s^\top a^*<0\ \Rightarrow\ (-v^*,a_s)\ \text{local min}",
))


# ------------------------------------------------------------------------------------------ 3–5. population GD
@dataclass(frozen=True)
class ShortcutConfig:
    """The sweep: for each (p, k) of ``sizes``, ``runs`` runs per cell: the ResNet at each teacher angle of
    ``angles`` (units of π) and the CNN from a random start, each at filter steps ``lr_small`` and ``lr_large``;
    population GD with η_a = ``lr_a`` for ``steps`` steps; success: angle and ‖a − a*‖ below ``tol``."""

    sizes: tuple[tuple[int, int], ...]
    runs: int
    steps: int = 6000
    lr_a: float = 0.2
    lr_small: float = 0.05
    lr_large: float = 0.5
    angles: tuple[float, ...] = (0.1, 0.25, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 0.9)
    ones_fraction: float = 0.05
    tol: float = 1e-3
    # resnet vs cnn
    good_angles: tuple[float, ...] = (0.25, 0.45)
    bad_angle: float = 0.6
    min_resnet: float = 0.95
    max_resnet_bad: float = 0.05
    min_cnn_failure: float = 0.2
    max_prediction_z: float = 3.0
    # cnn half-space
    min_agreement: float = 0.85
    # step-size ratio
    ratio_angle: float = 0.45
    min_ratio_z: float = 3.0


SHORTCUT_CONFIGS = {
    "small": ShortcutConfig(sizes=((8, 4), (16, 8), (32, 16)), runs=50),
    # η_w = 0.05 is not ≪ η_a at k = 16: the transient biases the CNN towards success (0.705 measured vs 0.639
    # predicted over 200 runs at (32, 16)); with η_w = 0.01 and 20000 steps the prediction holds (0.645 vs 0.639).
    "paper": ShortcutConfig(sizes=((8, 4), (16, 8), (32, 16), (64, 32)), runs=200, steps=20000, lr_small=0.01),
}


def shortcut_point(p: int, k: int, runs: int, angles: tuple[float, ...], lr_ws: tuple[float, ...], lr_a: float,
                   steps: int, ones_fraction: float, tol: float, seed: int, device: str) -> dict:
    """All cells of one (p, k) in one batch (a sweep point); see :func:`theorycheck.shortcuts.success_experiment`."""
    from ..shortcuts import success_experiment
    return success_experiment(p, k, runs, tuple(angles), tuple(lr_ws), lr_a=lr_a, steps=steps, seed=seed,
                              ones_fraction=ones_fraction, tol=tol, device=device)


def shortcut_sweep(ctx: Context, config: ShortcutConfig) -> dict:
    """Every (p, k) batch of ``config``; read through :meth:`Context.shared` by the three population-GD claims."""
    from ..nn.monte_carlo import child_seeds
    cfg = config
    seeds = child_seeds(ctx.seed + 91, len(cfg.sizes))
    points = [dict(p=p, k=k, runs=cfg.runs, angles=tuple(cfg.angles), lr_ws=(cfg.lr_small, cfg.lr_large),
                   lr_a=cfg.lr_a, steps=cfg.steps, ones_fraction=cfg.ones_fraction, tol=cfg.tol, seed=sd,
                   device=str(ctx.device)) for (p, k), sd in zip(cfg.sizes, seeds)]
    rows = ctx.sweep(shortcut_point, points, "shortcut: population GD, ResNet vs CNN")
    return {"sizes": [list(s) for s in cfg.sizes], "runs": cfg.runs, "batches": [r["result"] for r in rows]}


def _rows(d: dict, kind: str, lr: float, angle: float | None = None, cell: int | None = None) -> list[dict]:
    """The cells of ``kind`` at filter step ``lr`` (and teacher angle, for the ResNet), over every (p, k) or one."""
    return [dict(row, p=d["sizes"][i][0]) for i, batch in enumerate(d["batches"]) if cell is None or i == cell
            for row in batch[kind]
            if math.isclose(row["lr_w"], lr) and (angle is None or math.isclose(row["angle"], angle))]


def _rate(d: dict, kind: str, lr: float, angle: float | None = None, cell: int | None = None) -> float:
    """Success rate, pooled over (p, k) or for one ``cell``."""
    hits = [ok for row in _rows(d, kind, lr, angle, cell) for ok in row["success"]]
    return float(np.mean(hits)) if hits else math.nan


def _count(d: dict, kind: str, lr: float, angle: float | None = None) -> int:
    return sum(len(row["success"]) for row in _rows(d, kind, lr, angle))


def _cnn_agreement(d: dict, lr: float, cell: int | None = None, critical: bool = True) -> float:
    """Fraction of CNN runs where success ⇔ φ(0) < φ_c (``critical``; φ_c from the run's a*) or ⇔ φ(0) < π/2."""
    agree = [(phi < (pc if critical else math.pi / 2)) == ok for row in _rows(d, "cnn", lr, cell=cell)
             for phi, pc, ok in zip(row["phi0"], row["phi_c"], row["success"])]
    return float(np.mean(agree)) if agree else math.nan


def _cnn_prediction(d: dict, lr: float) -> tuple[float, float]:
    """The half-space mechanism's CNN success rate, mean over runs of P(φ(0) < φ_c) for a uniform w(0) in R^p, and
    the binomial standard error of a measured rate around it."""
    from ..shortcuts import random_angle_below
    probs = [float(random_angle_below(pc, row["p"])) for row in _rows(d, "cnn", lr) for pc in row["phi_c"]]
    if not probs:
        return math.nan, math.nan
    q = np.asarray(probs)
    return float(q.mean()), float(math.sqrt((q * (1 - q)).sum()) / len(q))


def _two_rate_z(d: dict, angle: float, lr1: float, lr2: float) -> tuple[float, float]:
    """Difference of two pooled success rates and its z-score (pooled two-proportion test)."""
    r1, r2 = _rate(d, "resnet", lr1, angle), _rate(d, "resnet", lr2, angle)
    n1, n2 = _count(d, "resnet", lr1, angle), _count(d, "resnet", lr2, angle)
    pool = (r1 * n1 + r2 * n2) / (n1 + n2)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    return r1 - r2, (r1 - r2) / se if se > 0 else (math.inf if r1 > r2 else math.nan)


def _sweep_measure(cfg: ShortcutConfig, ctx: Context) -> dict:
    return dict(ctx.shared(shortcut_sweep, config=cfg))


def _sizes_text(cfg: ShortcutConfig) -> str:
    return ", ".join(f"({p}, {k})" for p, k in cfg.sizes)


_SWEEP_TEXT = ("population GD with η_a = {lr_a:g} for {steps} steps, {runs} runs per cell at each "
               "(p, k) ∈ {{{sizes}}}, a success meaning angle and ‖a − a*‖ below {tol:g}")


def _sweep_text(cfg: ShortcutConfig) -> str:
    return _SWEEP_TEXT.format(lr_a=cfg.lr_a, steps=cfg.steps, runs=cfg.runs, sizes=_sizes_text(cfg), tol=cfg.tol)


# -- 3. ResNet vs CNN
def _vs_judge(cfg: ShortcutConfig, d: dict) -> list[Check]:
    lr = cfg.lr_small
    checks = [Check(f"ResNet succeeds from a teacher at {a:g}π", _rate(d, "resnet", lr, a), cfg.min_resnet, ">=",
                    f"ResNet success rate at ∠(s, v*) = {a:g}π, η_w = {lr:g}, pooled over (p, k)")
              for a in cfg.good_angles]
    cnn = _rate(d, "cnn", lr)
    predicted, se = _cnn_prediction(d, lr)
    checks += [
        Check(f"ResNet fails from a teacher at {cfg.bad_angle:g}π", _rate(d, "resnet", lr, cfg.bad_angle),
              cfg.max_resnet_bad, "<=", f"ResNet success rate at ∠(s, v*) = {cfg.bad_angle:g}π, pooled over (p, k)"),
        Check("CNN from a random start is trapped in a constant fraction of runs", 1.0 - cnn, cfg.min_cnn_failure,
              ">=", f"CNN failure rate, η_w = {lr:g}, pooled over (p, k)"),
        Check("CNN success rate is the half-space mechanism's prediction", abs(cnn - predicted) / se,
              cfg.max_prediction_z, "<=", "|measured − predicted CNN success| / binomial s.e.; predicted = mean over "
              "runs of P(φ(0) < φ_c) for a uniform w(0)"),
    ]
    return checks


def _per_cell(d: dict, kind: str, lr: float, angle: float | None = None) -> str:
    return "/".join(f"{_rate(d, kind, lr, angle, cell=i):.2f}" for i in range(len(d["batches"])))


def _vs_summary(cfg: ShortcutConfig, d: dict) -> str:
    lr = cfg.lr_small
    good = "; ".join(f"{a:g}π {_rate(d, 'resnet', lr, a):.2f} ({_per_cell(d, 'resnet', lr, a)})"
                     for a in cfg.good_angles)
    predicted, se = _cnn_prediction(d, lr)
    return (f"ResNet success {good} (≥ {cfg.min_resnet:g}); at {cfg.bad_angle:g}π "
            f"{_rate(d, 'resnet', lr, cfg.bad_angle):.2f} (≤ {cfg.max_resnet_bad:g}); CNN {_rate(d, 'cnn', lr):.2f} "
            f"({_per_cell(d, 'cnn', lr)}; failure ≥ {cfg.min_cnn_failure:g}; predicted {predicted:.2f} ± {se:.2f}); "
            f"per (p, k) = {_sizes_text(cfg)} in brackets")


def _vs_plot(result: ClaimResult, others: dict) -> list:
    """Success rate against the initial angle between the filter and v*: ResNet at each prescribed angle (both filter
    steps); CNN binned by its random initial angle."""
    import matplotlib.pyplot as plt

    d = result.data
    cfg = result.config
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    angles = np.asarray(cfg["angles"])
    for lr, style in ((cfg["lr_small"], "o-"), (cfg["lr_large"], "s--")):
        ax.plot(angles, [_rate(d, "resnet", lr, a) for a in angles], style, color="C0",
                label=f"ResNet, w(0) = 0, η_w = {lr:g}")
        phi0 = np.concatenate([np.asarray(r["phi0"]) for b in d["batches"] for r in b["cnn"]
                               if math.isclose(r["lr_w"], lr)]) / math.pi
        ok = np.concatenate([np.asarray(r["success"], dtype=float) for b in d["batches"] for r in b["cnn"]
                             if math.isclose(r["lr_w"], lr)])
        edges = np.linspace(0.2, 0.8, 7)
        idx = np.digitize(phi0, edges)
        centres, rates = [], []
        for j in range(1, len(edges)):
            sel = idx == j
            if sel.sum() >= 3:
                centres.append(0.5 * (edges[j - 1] + edges[j]))
                rates.append(ok[sel].mean())
        ax.plot(centres, rates, style, color="C3", label=f"CNN, random w(0) (binned), η_w = {lr:g}")
    ax.axvline(0.5, color="0.6", ls=":", lw=1)
    ax.set_xlabel("initial angle between the filter and v*  (units of π)")
    ax.set_ylabel("success rate (global minimum reached)")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=7)
    ax.set_title("ResNet vs CNN: the shortcut helps when ∠(s, v*) < π/2", fontsize=9)
    fig.tight_layout()
    return [("shortcut.resnet_vs_cnn.png", fig)]


register(Claim(
    id="shortcut.resnet_vs_cnn",
    title="With a shortcut, GD from w(0) = 0 reaches the global minimum when the teacher is within 90° of it",
    statement=lambda cfg: (
        f"With {_sweep_text(cfg)}, filter step η_w = {cfg.lr_small:g}: the ResNet (w(0) = 0) succeeds in ≥ "
        f"{cfg.min_resnet:g} of runs when ∠(s, v*) ∈ {{{', '.join(f'{a:g}π' for a in cfg.good_angles)}}} and in ≤ "
        f"{cfg.max_resnet_bad:g} when it is {cfg.bad_angle:g}π, while the CNN from a uniformly random w(0) is "
        f"trapped in ≥ {cfg.min_cnn_failure:g} of runs, its success rate within {cfg.max_prediction_z:g} binomial "
        "standard errors of the half-space mechanism's prediction P(φ(0) < φ_c) (rates pooled over (p, k))."),
    source=SOURCE + " (abstract: GD with normalisation avoids the spurious optimum from w(0) = 0; Fig. 4)",
    docs=DOCS,
    verification="[V-src abstract] statement; [R] model; [?] conditions (teacher near the shortcut, η_w ≪ η_a)",
    assumptions=(MODEL, TEACHER, "[?] the paper's condition read as: ∠(s, v*) < π/2 ('teacher near the identity') and "
                 "a equilibrating before w moves (η_w ≪ η_a, our reading of 'Stage I' / 'adaptive step sizes')",
                 "success rates pooled over (p, k) cells; the per-cell rates are in the summary",
                 "the prediction P(φ(0) < φ_c) is exact as η_w/η_a → 0; at η_w = 0.05 the transient (a(t)ᵀa* > 0 "
                 "early on) biases the CNN towards success at k = 16 by about +0.07 (200-run calibration)"),
    configs=SHORTCUT_CONFIGS,
    measure=_sweep_measure,
    judge=_vs_judge,
    summarize=_vs_summary,
    plot=_vs_plot,
))


# -- 4. the CNN's initial half-space
def _half_judge(cfg: ShortcutConfig, d: dict) -> list[Check]:
    return [Check("the CNN succeeds iff it starts below the critical angle φ_c", _cnn_agreement(d, cfg.lr_small),
                  cfg.min_agreement, ">=",
                  f"fraction of CNN runs (η_w = {cfg.lr_small:g}, pooled over (p, k)) where success ⇔ φ(0) < φ_c(a*)")]


def _half_summary(cfg: ShortcutConfig, d: dict) -> str:
    per = "/".join(f"{_cnn_agreement(d, cfg.lr_small, cell=i):.2f}" for i in range(len(d["batches"])))
    phi_c = [pc for row in _rows(d, "cnn", cfg.lr_small) for pc in row["phi_c"]]
    return (f"success ⇔ φ(0) < φ_c in {_cnn_agreement(d, cfg.lr_small):.2f} of CNN runs at η_w = {cfg.lr_small:g} "
            f"({per} per (p, k); ≥ {cfg.min_agreement:g}); φ_c/π in [{min(phi_c) / math.pi:.3f}, "
            f"{max(phi_c) / math.pi:.3f}]; with π/2 in place of φ_c: "
            f"{_cnn_agreement(d, cfg.lr_small, critical=False):.2f}; at η_w = {cfg.lr_large:g}: "
            f"{_cnn_agreement(d, cfg.lr_large):.2f}")


def _half_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    cfg = result.config
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for j, lr in enumerate((cfg["lr_small"], cfg["lr_large"])):
        rows = [r for b in d["batches"] for r in b["cnn"] if math.isclose(r["lr_w"], lr)]
        phi0 = np.concatenate([np.asarray(r["phi0"]) for r in rows]) / math.pi
        ok = np.concatenate([np.asarray(r["success"], dtype=float) for r in rows])
        ax.scatter(phi0, ok + (j - 0.5) * 0.08, s=8, alpha=0.6, label=f"η_w = {lr:g}")
    ax.axvline(0.5, color="0.5", ls=":")
    ax.set_yticks([0, 1], ["spurious / not converged", "global minimum"])
    ax.set_xlabel("CNN initial angle φ(0) to v*  (units of π)")
    ax.legend(fontsize=7)
    ax.set_title("CNN: the initial half-space decides (when a equilibrates first)", fontsize=9)
    fig.tight_layout()
    return [("shortcut.cnn_half_space.png", fig)]


register(Claim(
    id="shortcut.cnn_half_space",
    title="The CNN's initial half-space decides whether it escapes the spurious minimum",
    statement=lambda cfg: (
        f"With {_sweep_text(cfg)}, the CNN from a uniformly random w(0) at filter step η_w = {cfg.lr_small:g} reaches "
        "the global minimum exactly when its initial angle to v* is below the critical angle φ_c where the "
        f"equilibrated a(φ)ᵀa* changes sign (≈ π/2), in ≥ {cfg.min_agreement:g} of runs (pooled over (p, k))."),
    source=SOURCE + "; mechanism derived from the closed-form gradient (the filter moves towards v* iff aᵀa* > 0)",
    docs=DOCS,
    verification="[R] model; [V-num] mechanism",
    assumptions=(MODEL, TEACHER, "a(φ)ᵀa* = A(g(φ) − 1 + k) + B(g(φ) − 1) with A = (1ᵀa*)²/(k(π − 1 + k)), "
                 "B = ‖P_⊥a*‖²/(π − 1): φ_c = π/2 for a* ⊥ 1, slightly above otherwise"),
    configs=SHORTCUT_CONFIGS,
    measure=_sweep_measure,
    judge=_half_judge,
    summarize=_half_summary,
    plot=_half_plot,
))


# -- 5. the step-size ratio
def _ratio_judge(cfg: ShortcutConfig, d: dict) -> list[Check]:
    a = cfg.ratio_angle
    _, z = _two_rate_z(d, a, cfg.lr_small, cfg.lr_large)
    return [Check(f"a small filter step helps the ResNet at {a:g}π", z, cfg.min_ratio_z, ">=",
                  f"z-score of success(η_w = {cfg.lr_small:g}) − success(η_w = {cfg.lr_large:g}) at ∠(s, v*) = {a:g}π "
                  "(two-proportion test, pooled over (p, k))")]


def _ratio_summary(cfg: ShortcutConfig, d: dict) -> str:
    a = cfg.ratio_angle
    small, large = _rate(d, "resnet", cfg.lr_small, a), _rate(d, "resnet", cfg.lr_large, a)
    diff, z = _two_rate_z(d, a, cfg.lr_small, cfg.lr_large)
    return (f"at {a:g}π: success {small:.2f} ({_per_cell(d, 'resnet', cfg.lr_small, a)}) with η_w = {cfg.lr_small:g} "
            f"vs {large:.2f} ({_per_cell(d, 'resnet', cfg.lr_large, a)}) with η_w = {cfg.lr_large:g}; difference "
            f"{diff:.2f}, z = {z:.1f} (≥ {cfg.min_ratio_z:g})")


def _ratio_plot(result: ClaimResult, others: dict) -> list:
    d = result.data
    cfg = result.config
    a = cfg["ratio_angle"]
    labels, values = [], []
    for i, (p, k) in enumerate(d["sizes"]):
        labels.append(f"p={p} k={k}")
        values.append(_rate(d, "resnet", cfg["lr_small"], a, cell=i) - _rate(d, "resnet", cfg["lr_large"], a, cell=i))
    labels.append("pooled")
    values.append(_rate(d, "resnet", cfg["lr_small"], a) - _rate(d, "resnet", cfg["lr_large"], a))
    return values_vs_bounds("shortcut.step_size_ratio.png", labels, values, lower=[0.0] * len(values),
                            ylabel=f"success(η_w={cfg['lr_small']:g}) − success(η_w={cfg['lr_large']:g})",
                            title=f"ResNet at {a:g}π: the step-size ratio matters (the check is a z-test on 'pooled')")


register(Claim(
    id="shortcut.step_size_ratio",
    title="A filter step comparable to the second layer's breaks the ResNet's advantage",
    statement=lambda cfg: (
        f"With {_sweep_text(cfg)}, at ∠(s, v*) = {cfg.ratio_angle:g}π the ResNet's success rate with η_w = "
        f"{cfg.lr_small:g} exceeds that with η_w = {cfg.lr_large:g}, with a two-proportion z-score ≥ "
        f"{cfg.min_ratio_z:g} (pooled over (p, k))."),
    source=SOURCE + " (review: 'adaptive step sizes', Stage I)",
    docs=DOCS,
    verification="[R] model; [?] the paper's step-size schedule; [V-num] measured",
    assumptions=(MODEL, TEACHER, "[?] the paper's adaptive steps are read as η_w ≪ η_a; a fixed ratio is tested",
                 "the size of the effect depends on how far ∠(s, v*) lies below φ_c, i.e. on the [R] teacher "
                 "distribution; only its sign and significance are checked"),
    configs=SHORTCUT_CONFIGS,
    measure=_sweep_measure,
    judge=_ratio_judge,
    summarize=_ratio_summary,
    plot=_ratio_plot,
))
