"""Claims about the dynamical decoupling of generalisation and overfitting (Montanari & Urbani, NeurIPS 2025,
arXiv 2502.21269; ``docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting``).

A two-layer network f(x) = (1/m) Σ a_i σ(⟨w_i, x⟩) with unit-norm w_i, trained by projected GD on the (n/d)-scaled
square loss, n = αmd Gaussian samples of y = φ(x₁) + ε. Two exact pieces (the test error formula, the mean-field ODE's
fixed point) and four dynamical claims read one shared width × seed sweep: the overfitting time grows with m while
the learning time stays O(1); the train/test gap at t = O(1) shrinks with n/d; the network unlearns its feature at
t ≳ m; and for t = O(1) it tracks the mean-field ODE (Theorem 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import values_vs_bounds

__all__ = ["FormulaConfig", "FixedPointConfig", "DecouplingConfig", "formula_point", "decoupling_point",
           "decoupling_sweep", "DECOUPLING_CONFIGS"]

SOURCE = ("Montanari & Urbani, 'Dynamical Decoupling of Generalization and Overfitting in Large Two-Layer Networks' "
          "(NeurIPS 2025, arXiv 2502.21269)")
DOCS = "docs/theory/beyond_kernel.md#decoupling-of-generalisation-and-overfitting"
MODEL = ("f(x) = (1/m) Σ a_i σ(⟨w_i, x⟩), ‖w_i‖ = 1; x ~ N(0, I_d), y = φ(x₁) + N(0, τ²); σ = φ = √0.9·z + (z³ − 3z)/6 "
         "(h(q) = φ̂(q) = 0.9q + q³/6, the paper's figure activation)")


# ------------------------------------------------------------------------------------------ 1. exact test error
@dataclass(frozen=True)
class FormulaConfig:
    """``cases`` random networks (width m, dimension d) per activation; ``samples`` Monte Carlo pairs each; the
    largest |z| must stay below the two-sided Bonferroni quantile at family-wise level ``level``."""

    activations: tuple[str, ...]
    cases: int
    m: int
    d: int
    tau: float
    samples: int
    level: float = 0.01


FORMULA_CONFIGS = {
    "small": FormulaConfig(activations=("cubic", "erf"), cases=3, m=8, d=20, tau=0.3, samples=400_000),
    "paper": FormulaConfig(activations=("cubic", "erf"), cases=10, m=64, d=200, tau=0.3, samples=4_000_000),
}


def formula_point(activation: str, m: int, d: int, tau: float, samples: int, seed: int, device: str) -> dict:
    """One random network (a_i ~ N(1, 1), w_i tilted towards u = e₁ by a random amount): exact R beside Monte Carlo."""
    import torch

    from ..mean_field import SphereTask, sphere_activation
    gen = torch.Generator().manual_seed(seed)
    task = SphereTask(d=d, tau=tau, student=sphere_activation(activation))
    a = 1.0 + torch.randn(m, generator=gen, dtype=torch.float64)
    tilt = 3.0 * (2.0 * torch.rand(m, generator=gen, dtype=torch.float64) - 1.0)
    w = torch.randn(d, m, generator=gen, dtype=torch.float64) / math.sqrt(d)
    w[0] += tilt
    w = w / w.norm(dim=0, keepdim=True)
    a, w = a.to(device), w.to(device)
    exact = float(task.test_error(a, w))
    mc, se = task.test_error_monte_carlo(a, w, samples, seed=seed + 1)
    return {"exact": exact, "mc": mc, "se": se, "z": (mc - exact) / se, "overlaps": w[0].cpu().tolist()}


def _formula_measure(cfg: FormulaConfig, ctx: Context) -> dict:
    from scipy import stats as _st

    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 51, len(cfg.activations) * cfg.cases)
    points = [dict(activation=act, m=cfg.m, d=cfg.d, tau=cfg.tau, samples=cfg.samples, seed=seeds[i * cfg.cases + j],
                   device=str(ctx.device)) for i, act in enumerate(cfg.activations) for j in range(cfg.cases)]
    rows = ctx.sweep(formula_point, points, "decoupling: test error vs Monte Carlo")
    k = len(points)
    return {"activations": [p["activation"] for p in points], "exact": [r["result"]["exact"] for r in rows],
            "mc": [r["result"]["mc"] for r in rows], "se": [r["result"]["se"] for r in rows],
            "z": [r["result"]["z"] for r in rows], "z_bound": float(_st.norm.ppf(1 - cfg.level / (2 * k)))}


def _formula_judge(cfg: FormulaConfig, d: dict) -> list[Check]:
    return [Check(f"Monte Carlo agrees with the exact R (Bonferroni, family-wise {cfg.level:g})",
                  max(abs(z) for z in d["z"]), d["z_bound"], "<=",
                  "max over networks of |MC − exact| / (MC standard error)")]


def _formula_summary(cfg: FormulaConfig, d: dict) -> str:
    rel = max(abs(m / e - 1) for m, e in zip(d["mc"], d["exact"]))
    return (f"max |z| = {max(abs(z) for z in d['z']):.2f} (≤ {d['z_bound']:.2f}) over {len(d['z'])} networks "
            f"({', '.join(cfg.activations)}); max |MC/exact − 1| = {rel:.2%}")


def _formula_plot(result: ClaimResult, others: dict) -> list:
    d = result.data
    n = len(d["z"])
    return values_vs_bounds("decoupling.test_error_formula.png", [f"{a} #{i}" for i, a in enumerate(d["activations"])],
                            d["z"], upper=[d["z_bound"]] * n, lower=[-d["z_bound"]] * n,
                            ylabel="(MC − exact R) / standard error",
                            title="Exact test error against Monte Carlo")


register(Claim(
    id="decoupling.test_error_formula",
    title="The test error of the network on the sphere is exact for Gaussian inputs",
    statement=lambda cfg: (
        f"For {cfg.cases} random networks per activation ({', '.join(cfg.activations)}; m = {cfg.m}, d = {cfg.d}, "
        f"τ = {cfg.tau:g}), R(θ) = ½[τ² + ‖φ‖² − (2/m) Σ a_i φ̂(⟨u, w_i⟩) + (1/m²) Σ a_i a_j h(⟨w_i, w_j⟩)] agrees with "
        f"a Monte Carlo average of ½(y − f(x))² over {cfg.samples} fresh pairs: every |z| is below the two-sided "
        f"Bonferroni quantile at family-wise level {cfg.level:g}."),
    source=SOURCE + ", App. A.4 and A.6",
    docs=DOCS,
    verification="[V-src] formula; [V-num] Monte Carlo",
    assumptions=("x ~ N(0, I_d) and ‖w_i‖ = 1, so every pre-activation is standard normal",
                 "φ̂ = h (teacher = student activation); h in closed form (Hermite series, erf arcsine)"),
    configs=FORMULA_CONFIGS,
    measure=_formula_measure,
    judge=_formula_judge,
    summarize=_formula_summary,
    plot=_formula_plot,
    symbolic=lambda: (r"R(\theta)=\tfrac12\Big[\tau^2+\|\varphi\|^2-\tfrac2m\sum_i a_i\hat\varphi(\langle u,w_i\rangle)"
                      r"+\tfrac1{m^2}\sum_{i,j}a_ia_jh(\langle w_i,w_j\rangle)\Big]"),
))


# ------------------------------------------------------------------------------------------ 2. ODE fixed point
@dataclass(frozen=True)
class FixedPointConfig:
    """The mean-field ODE from (v, a) = (v0, a0) to ``t_max``; at the end e_mf − τ²/2 ≤ ``max_excess`` and
    (v, a) within ``max_distance`` of (1, 1) in each coordinate."""

    alpha: float
    tau: float
    t_max: float
    activation: str = "cubic"
    v0: float = 0.0
    a0: float = 1.0
    max_excess: float = 1e-4
    max_distance: float = 0.02


FIXED_POINT_CONFIGS = {
    "small": FixedPointConfig(alpha=0.3, tau=0.3, t_max=400.0),
    "paper": FixedPointConfig(alpha=0.3, tau=0.3, t_max=400.0),
}


def _fixed_measure(cfg: FixedPointConfig, ctx: Context) -> dict:
    from ..mean_field import SphereTask, solve_mean_field, sphere_activation
    task = SphereTask(d=2, tau=cfg.tau, student=sphere_activation(cfg.activation))
    path = solve_mean_field(task, cfg.alpha, cfg.t_max, v0=cfg.v0, a0=cfg.a0, points=801)
    return {"t": path.t, "v": path.v, "a": path.a, "e_mf": path.e_mf, "bayes": task.bayes_error,
            "excess": path.e_mf[-1] - task.bayes_error, "h_prime_0": float(task.student.kernel_derivative(0.0))}


def _fixed_judge(cfg: FixedPointConfig, d: dict) -> list[Check]:
    return [
        Check(f"e_mf({cfg.t_max:g}) within {cfg.max_excess:g} of the Bayes error τ²/2", d["excess"], cfg.max_excess,
              "<=", "e_mf(t_max) − τ²/2"),
        Check("v(t_max) near 1", abs(d["v"][-1] - 1), cfg.max_distance, "<=", "|v(t_max) − 1|"),
        Check("a(t_max) near 1", abs(d["a"][-1] - 1), cfg.max_distance, "<=", "|a(t_max) − 1|"),
        Check("e_mf never below the Bayes error", -min(e - d["bayes"] for e in d["e_mf"]), 0.0, "<=",
              "−min_t (e_mf(t) − τ²/2)"),
    ]


def _fixed_summary(cfg: FixedPointConfig, d: dict) -> str:
    return (f"at t = {cfg.t_max:g}: (v, a) = ({d['v'][-1]:.4f}, {d['a'][-1]:.4f}) (within {cfg.max_distance:g} of "
            f"(1, 1)), e_mf − τ²/2 = {d['excess']:.2e} (≤ {cfg.max_excess:g})")


def _fixed_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    t = np.asarray(d["t"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax1.plot(t, d["v"], label="v (overlap)")
    ax1.plot(t, d["a"], label="a (second layer)")
    ax1.axhline(1.0, color="0.5", ls=":", lw=1)
    ax1.set_xlabel("t")
    ax1.legend(fontsize=7)
    ax1.set_title("mean-field ODE from (0, 1)", fontsize=9)
    ok = t > 0
    ax2.loglog(t[ok], np.asarray(d["e_mf"])[ok] - d["bayes"], color="C2")
    ax2.axhline(result.config["max_excess"], color="C3", ls="--", lw=1, label="threshold at t_max")
    ax2.set_xlabel("t")
    ax2.set_ylabel("e_mf − τ²/2")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return [("decoupling.mean_field_fixed_point.png", fig)]


register(Claim(
    id="decoupling.mean_field_fixed_point",
    title="The mean-field ODE reaches the Bayes error at (v, a) = (1, 1)",
    statement=lambda cfg: (
        f"For φ̂ = h (the {cfg.activation} activation, h'(0) > 0), α = {cfg.alpha:g} and τ = {cfg.tau:g}, the "
        "mean-field "
        f"ODE v̇ = αa(1 − v²)(φ̂'(v) − a h'(v²) v), ȧ = α(φ̂(v) − a h(v²)) from (v, a) = ({cfg.v0:g}, {cfg.a0:g}) ends at "
        f"t = {cfg.t_max:g} with e_mf − τ²/2 ≤ {cfg.max_excess:g} and |v − 1|, |a − 1| ≤ {cfg.max_distance:g}, "
        "never going below the Bayes error τ²/2."),
    source=SOURCE + ", eq. 2.10 and the fixed point below it",
    docs=DOCS,
    verification="[V-src] ODE and fixed point; [V-num] integration (DOP853, rtol 1e-10)",
    assumptions=("the limit n, d → ∞ with n/d → αm, then m → ∞; v(0) = 0 is W(0) uniform as d → ∞",
                 "the approach to (1, 1) is algebraic, so the distance at t_max is a rate, not a tolerance"),
    configs=FIXED_POINT_CONFIGS,
    measure=_fixed_measure,
    judge=_fixed_judge,
    summarize=_fixed_summary,
    plot=_fixed_plot,
    symbolic=lambda: (r"\dot v=\alpha a(1-v^2)\big(\hat\varphi'(v)-a\,h'(v^2)v\big),\quad"
                      r"\dot a=\alpha\big(\hat\varphi(v)-a\,h(v^2)\big)"),
))


# ------------------------------------------------------------------------------------------ 3–6. the width sweep
@dataclass(frozen=True)
class DecouplingConfig:
    """The width × seed sweep shared by the four dynamical claims, and their thresholds.

    Each run: n = round(αmd) samples, a_i(0) = ``a0``, W(0) uniform, projected GD with step ``lr`` to t = horizon·m,
    recorded every ``record_every`` steps. Times: t_learn = first t with R ≤ min_t R + ``learn_tol``; t_ovf = first
    t with R̂_n ≤ ``ovf_fraction``·τ².
    """

    widths: tuple[int, ...]
    seeds: int
    d: int
    alpha: float = 0.3
    tau: float = 0.3
    a0: float = 1.0
    lr: float = 0.2
    horizon: float = 6.0
    activation: str = "cubic"
    record_every: int = 1
    trace_points: int = 240
    # timescales
    learn_tol: float = 0.005
    ovf_fraction: float = 0.25
    min_ovf_slope: float = 0.75
    min_ovf_ratio: float = 3.0
    t_learn_low: float = 5.0
    t_learn_high: float = 15.0
    # gap at t = O(1)
    t_gap: float = 10.0
    max_gap_slope: float = -0.5
    # feature unlearning
    min_rise: float = 0.01
    min_v_drop: float = 0.1
    final_train_fraction: float = 0.1
    # mean-field tracking
    t_track: float = 10.0
    track_min_width: int = 64
    max_track_error: float = 0.08
    track_delta: float = 0.25


DECOUPLING_CONFIGS = {
    "small": DecouplingConfig(widths=(16, 32, 64), seeds=2, d=100),
    "paper": DecouplingConfig(widths=(16, 32, 64, 128, 256), seeds=10, d=200, record_every=5, min_ovf_ratio=8.0),
}


def decoupling_point(m: int, seed: int, d: int, alpha: float, tau: float, a0: float, lr: float, horizon: float,
                     activation: str, record_every: int, trace_points: int, learn_tol: float, ovf_fraction: float,
                     t_gap: float, t_track: float, device: str) -> dict:
    """One training run to t = horizon·m: its times, gaps, unlearning numbers and a thinned trace (a sweep point)."""
    from ..mean_field import SphereTask, first_time_at_or_below, solve_mean_field, sphere_activation, train_sphere_gd
    task = SphereTask(d=d, tau=tau, student=sphere_activation(activation))
    n = int(round(alpha * m * d))
    tr = train_sphere_gd(task, m, n, t_max=horizon * m, lr=lr, a0=a0, seed=seed, record_every=record_every,
                         device=device)
    t, test, train = np.asarray(tr.t), np.asarray(tr.test_error), np.asarray(tr.train_error)
    i_min = int(np.argmin(test))
    # Theorem 2: the finite-d, finite-m network against the m → ∞ ODE at the run's own α = n/(md)
    path = solve_mean_field(task, n / (m * d), t_track, a0=a0, points=4001)
    early = t <= t_track + 1e-12
    track = float(np.max(np.abs(test[early] - np.interp(t[early], path.t, path.e_mf))))
    keep = np.unique(np.concatenate([[0], np.geomspace(1, len(t) - 1, trace_points).astype(int), [len(t) - 1]]))
    return {
        "n": n, "t_learn": first_time_at_or_below(t, test, test.min() + learn_tol),
        "t_ovf": first_time_at_or_below(t, train, ovf_fraction * tau**2), "t_min": float(t[i_min]),
        "r_min": float(test[i_min]), "r_final": float(test[-1]), "train_final": float(train[-1]),
        "gap": tr.value_at("test_error", t_gap) - tr.value_at("train_error", t_gap),
        "v_at_min": tr.v_mean[i_min], "v_final": tr.v_mean[-1],
        "a_over_sqrt_m": float(np.mean(tr.final_a)) / math.sqrt(m), "track_error": track,
        "trace": {k: [float(np.asarray(getattr(tr, k))[i]) for i in keep]
                  for k in ("t", "train_error", "test_error", "v_mean", "a_abs_mean")},
        "ode": {"t": path.t[::80], "e_mf": path.e_mf[::80]},
    }


def decoupling_sweep(ctx: Context, config: DecouplingConfig) -> dict:
    """Every (width, seed) run of ``config``; read through :meth:`Context.shared` by the four dynamical claims.

    Seeds come from ``ctx.seed``; a seed draws the run's data and its W(0).
    """
    from ..nn.monte_carlo import child_seeds
    cfg = config
    seeds = child_seeds(ctx.seed + 61, cfg.seeds * len(cfg.widths))
    points = [dict(m=m, seed=seeds[i * cfg.seeds + j], d=cfg.d, alpha=cfg.alpha, tau=cfg.tau, a0=cfg.a0, lr=cfg.lr,
                   horizon=cfg.horizon, activation=cfg.activation, record_every=cfg.record_every,
                   trace_points=cfg.trace_points, learn_tol=cfg.learn_tol, ovf_fraction=cfg.ovf_fraction,
                   t_gap=cfg.t_gap, t_track=cfg.t_track, device=str(ctx.device))
              for i, m in enumerate(cfg.widths) for j in range(cfg.seeds)]
    rows = ctx.sweep(decoupling_point, points, "decoupling: width × seed training runs")
    runs = [dict(r["result"], m=r["m"]) for r in rows]
    return {"widths": list(cfg.widths), "seeds": cfg.seeds, "tau": cfg.tau, "runs": runs}


def _column(d: dict, key: str) -> list[list[float]]:
    """Per width, the list of ``key`` over seeds."""
    return [[r[key] for r in d["runs"] if r["m"] == m] for m in d["widths"]]


def _fit(d: dict, key: str) -> dict:
    """Least-squares slope of log key against log m over all runs (NaN when a value is non-positive or missing)."""
    from ..stats import loglog_fit
    ms = [r["m"] for r in d["runs"]]
    ys = [r[key] for r in d["runs"]]
    if not all(math.isfinite(y) and y > 0 for y in ys):
        return {"slope": math.nan, "intercept": math.nan, "halfwidth_99": math.nan}
    fit = loglog_fit(ms, ys)
    return {"slope": fit.slope, "intercept": fit.intercept, "halfwidth_99": fit.halfwidth(0.99)}


def _sweep_measure(cfg: DecouplingConfig, ctx: Context) -> dict:
    d = dict(ctx.shared(decoupling_sweep, config=cfg))
    d["fit_ovf"], d["fit_gap"], d["fit_track"] = _fit(d, "t_ovf"), _fit(d, "gap"), _fit(d, "track_error")
    return d


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


# -- 3. timescales
def _times_judge(cfg: DecouplingConfig, d: dict) -> list[Check]:
    ovf = _column(d, "t_ovf")
    learn = [t for r in _column(d, "t_learn") for t in r]
    return [
        Check("overfitting time grows with the width: log-log slope", d["fit_ovf"]["slope"], cfg.min_ovf_slope, ">=",
              "least-squares slope of log t_ovf against log m over all runs"),
        Check(f"t_ovf(m={cfg.widths[-1]}) / t_ovf(m={cfg.widths[0]})", _mean(ovf[-1]) / _mean(ovf[0]),
              cfg.min_ovf_ratio, ">=", "ratio of the seed-mean overfitting times at the largest and smallest width"),
        Check("learning time stays O(1): not below", min(learn, default=math.nan), cfg.t_learn_low, ">=",
              "smallest t_learn over all runs (time units)"),
        Check("learning time stays O(1): not above", max(learn, default=math.nan), cfg.t_learn_high, "<=",
              "largest t_learn over all runs (time units)"),
    ]


def _times_summary(cfg: DecouplingConfig, d: dict) -> str:
    ovf, learn = _column(d, "t_ovf"), _column(d, "t_learn")
    return (f"t_ovf slope {d['fit_ovf']['slope']:.2f} (≥ {cfg.min_ovf_slope:g}); mean t_ovf "
            f"{' | '.join(f'{_mean(o):.1f}' for o in ovf)} at m = {', '.join(map(str, cfg.widths))} (ratio ≥ "
            f"{cfg.min_ovf_ratio:g}); t_learn in [{min(min(x) for x in learn):.1f}, {max(max(x) for x in learn):.1f}] "
            f"(within [{cfg.t_learn_low:g}, {cfg.t_learn_high:g}])")


def _times_plot(result: ClaimResult, others: dict) -> list:
    """The paper's Fig. 4/5 at this scale: train and test error against t/m, t_learn and t_ovf marked; and the two
    times against m on log-log axes with the fitted and a unit slope."""
    import matplotlib.pyplot as plt

    from .plotting import loglog_axes

    d = result.data
    cfg = result.config
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for k, m in enumerate(d["widths"]):
        run = next(r for r in d["runs"] if r["m"] == m)
        tr = run["trace"]
        t = np.asarray(tr["t"]) / m
        ok = t > 0
        ax1.plot(t[ok], np.asarray(tr["test_error"])[ok], color=f"C{k}", label=f"test, m={m}")
        ax1.plot(t[ok], np.asarray(tr["train_error"])[ok], color=f"C{k}", ls="--", label=f"train, m={m}")
        ax1.axvline(run["t_learn"] / m, color=f"C{k}", ls=":", lw=1)
        ax1.axvline(run["t_ovf"] / m, color=f"C{k}", ls="-.", lw=1)
    ax1.axhline(0.5 * d["tau"] ** 2, color="0.4", lw=0.8, label="Bayes τ²/2")
    ax1.axhline(cfg["ovf_fraction"] * d["tau"] ** 2, color="0.7", lw=0.8, label="overfitting level")
    ax1.set_xscale("log")
    ax1.set_xlabel("t / m   (dotted: t_learn, dash-dot: t_ovf)")
    ax1.set_ylabel("error")
    ax1.set_ylim(0, None)
    ax1.legend(fontsize=6, ncol=2)
    ax1.set_title("train and test error (first seed per width)", fontsize=9)
    ms = np.asarray([r["m"] for r in d["runs"]], dtype=float)
    ax2.scatter(ms, [r["t_ovf"] for r in d["runs"]], color="C3", label="t_ovf (R̂ ≤ τ²/4)")
    ax2.scatter(ms, [r["t_learn"] for r in d["runs"]], color="C0", label="t_learn (R ≤ min R + tol)")
    grid = np.geomspace(ms.min(), ms.max(), 20)
    fit = d["fit_ovf"]
    if math.isfinite(fit["slope"]):
        ax2.plot(grid, np.exp(fit["intercept"]) * grid ** fit["slope"], "--", color="C3",
                 label=f"fit: slope {fit['slope']:.2f}")
    anchor = np.exp(np.mean(np.log([r["t_ovf"] for r in d["runs"]])))
    ax2.plot(grid, anchor * grid / np.exp(np.mean(np.log(ms))), ":", color="0.4", label="slope 1 (t_ovf ∝ m)")
    loglog_axes(ax2, "width m", "time")
    fig.tight_layout()
    return [("decoupling.timescales.png", fig)]


_SWEEP_TEXT = ("n = αmd samples (α = {alpha:g}, d = {d}), τ = {tau:g}, a(0) = {a0:g}, W(0) uniform, projected GD with "
               "step {lr:g} on the (n/d)-scaled loss, widths {widths}, {seeds} seeds each")

register(Claim(
    id="decoupling.timescales",
    title="Overfitting starts later for wider networks; learning takes O(1) time",
    statement=lambda cfg: (
        "Under mean-field initialisation (" + _SWEEP_TEXT.format(**vars(cfg)) + "), the overfitting time t_ovf "
        f"(first t with R̂_n ≤ {cfg.ovf_fraction:g}τ²) grows with m: the log-log slope over all runs is "
        f"≥ {cfg.min_ovf_slope:g} and t_ovf(m={cfg.widths[-1]})/t_ovf(m={cfg.widths[0]}) ≥ {cfg.min_ovf_ratio:g}; "
        f"while the learning time t_learn (first t with R ≤ min_t R + {cfg.learn_tol:g}) lies in "
        f"[{cfg.t_learn_low:g}, {cfg.t_learn_high:g}] for every run."),
    source=SOURCE + ", §2 (Figs. 1, 4, 5: the three regimes; 'overfitting starts later for larger m')",
    docs=DOCS,
    verification="[V-src] statement (DMFT, non-rigorous); [V-num] thresholds calibrated on CPU",
    assumptions=(MODEL, "finite d: the paper's limit is n, d → ∞ first, then m → ∞ at fixed α",
                 "GD with a finite step approximates the gradient flow; t = step · lr",
                 "t_learn is not argmin_t R: the test error is flat to ±0.002 over the plateau 1 ≪ t ≪ m"),
    configs=DECOUPLING_CONFIGS,
    measure=_sweep_measure,
    judge=_times_judge,
    summarize=_times_summary,
    plot=_times_plot,
))


# -- 4. the gap at t = O(1)
def _gap_judge(cfg: DecouplingConfig, d: dict) -> list[Check]:
    return [Check(f"gap R − R̂_n at t = {cfg.t_gap:g} shrinks at least like √(d/n)", d["fit_gap"]["slope"],
                  cfg.max_gap_slope, "<=", "least-squares slope of log(R − R̂_n)(t) against log m (n/d = αm)")]


def _gap_summary(cfg: DecouplingConfig, d: dict) -> str:
    gaps = _column(d, "gap")
    return (f"gap at t = {cfg.t_gap:g}: {' | '.join('/'.join(f'{g:.3f}' for g in x) for x in gaps)} at m = "
            f"{', '.join(map(str, cfg.widths))}; slope {d['fit_gap']['slope']:.2f} (≤ {cfg.max_gap_slope:g}, "
            "Theorem 1's √(d/n))")


def _gap_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    from .plotting import loglog_axes

    d = result.data
    ms = np.asarray([r["m"] for r in d["runs"]], dtype=float)
    gaps = np.asarray([r["gap"] for r in d["runs"]])
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.scatter(ms, np.clip(gaps, 1e-6, None), color="C0", label="one run")
    grid = np.geomspace(ms.min(), ms.max(), 20)
    fit = d["fit_gap"]
    if math.isfinite(fit["slope"]):
        ax.plot(grid, np.exp(fit["intercept"]) * grid ** fit["slope"], "--", color="C1",
                label=f"fit: slope {fit['slope']:.2f}")
        centre = np.exp(np.mean(np.log(ms)))
        anchor = np.exp(fit["intercept"]) * centre ** fit["slope"]
        ax.plot(grid, anchor * (grid / centre) ** -0.5, ":", color="C3", label="Theorem 1: slope −1/2")
        ax.plot(grid, anchor * (grid / centre) ** -1.0, ":", color="0.5", label="slope −1 (∝ d/n)")
    loglog_axes(ax, "width m  (n/d = αm)", f"R − R̂_n at t = {result.config['t_gap']:g}")
    fig.tight_layout()
    return [("decoupling.early_gap.png", fig)]


register(Claim(
    id="decoupling.early_gap",
    title="At t = O(1) the generalisation gap shrinks with n/d",
    statement=lambda cfg: (
        "In the sweep (" + _SWEEP_TEXT.format(**vars(cfg)) + f"), the gap R − R̂_n at t = {cfg.t_gap:g} falls with "
        f"n/d = αm at least as fast as Theorem 1's √(d/n): the log-log slope against m is ≤ {cfg.max_gap_slope:g}."),
    source=SOURCE + ", Theorem 1 (|R − R̂_n| ≤ C₁(L²(a₀ + a₁t̂)² + τ²)√(d/n))",
    docs=DOCS,
    verification="[V-src] theorem; [V-num] measured slope",
    assumptions=(MODEL, "the cubic σ is not bounded, outside Theorem 1's hypotheses (the measured rate is what is "
                 "checked, not the constant)", "the gap is measured on one training set per run (no averaging)"),
    configs=DECOUPLING_CONFIGS,
    measure=_sweep_measure,
    judge=_gap_judge,
    summarize=_gap_summary,
    plot=_gap_plot,
))


# -- 5. feature unlearning
def _unlearn_judge(cfg: DecouplingConfig, d: dict) -> list[Check]:
    runs = d["runs"]
    tau2 = d["tau"] ** 2
    return [
        Check(f"test error rises after its minimum, by t = {cfg.horizon:g}m", min(r["r_final"] - r["r_min"]
              for r in runs), cfg.min_rise, ">=", "min over runs of R(horizon·m) − min_t R"),
        Check("the feature is unlearned: mean overlap falls", min(r["v_at_min"] - r["v_final"] for r in runs),
              cfg.min_v_drop, ">=", "min over runs of mean_i⟨u, w_i⟩ at argmin R minus at the end"),
        Check("the network interpolates the noise", max(r["train_final"] for r in runs) / tau2,
              cfg.final_train_fraction, "<=", "max over runs of the final R̂_n / τ²"),
    ]


def _unlearn_summary(cfg: DecouplingConfig, d: dict) -> str:
    rise = [_mean([r["r_final"] - r["r_min"] for r in d["runs"] if r["m"] == m]) for m in d["widths"]]
    drop = [_mean([r["v_at_min"] - r["v_final"] for r in d["runs"] if r["m"] == m]) for m in d["widths"]]
    a = [_mean(x) for x in _column(d, "a_over_sqrt_m")]
    return (f"rise of R after its minimum {' | '.join(f'{x:.3f}' for x in rise)} (≥ {cfg.min_rise:g}); fall of mean v "
            f"{' | '.join(f'{x:.2f}' for x in drop)} (≥ {cfg.min_v_drop:g}); mean a/√m at the end "
            f"{' | '.join(f'{x:.2f}' for x in a)} at m = {', '.join(map(str, cfg.widths))}")


def _unlearn_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for k, m in enumerate(d["widths"]):
        for j, run in enumerate(r for r in d["runs"] if r["m"] == m):
            tr = run["trace"]
            t = np.asarray(tr["t"]) / m
            ok = t > 0
            ax1.plot(t[ok], np.asarray(tr["v_mean"])[ok], color=f"C{k}", alpha=0.8,
                     label=f"m={m}" if j == 0 else None)
            ax2.plot(t[ok], np.asarray(tr["a_abs_mean"])[ok] / math.sqrt(m), color=f"C{k}", alpha=0.8,
                     label=f"m={m}" if j == 0 else None)
    for ax, label in ((ax1, "mean overlap ⟨u, w_i⟩"), (ax2, "‖a/m‖₁ / √m")):
        ax.set_xscale("log")
        ax.set_xlabel("t / m")
        ax.set_ylabel(label)
        ax.legend(fontsize=7)
    ax1.set_title("feature unlearning at t ≳ m", fontsize=9)
    ax2.set_title("a grows like √m", fontsize=9)
    fig.tight_layout()
    return [("decoupling.feature_unlearning.png", fig)]


register(Claim(
    id="decoupling.feature_unlearning",
    title="At t ≳ m the network overfits and unlearns its feature",
    statement=lambda cfg: (
        "In the sweep (" + _SWEEP_TEXT.format(**vars(cfg)) + f"), run to t = {cfg.horizon:g}m, every run's test error "
        f"rises by ≥ {cfg.min_rise:g} after its minimum, its mean overlap ⟨u, w_i⟩ falls by ≥ {cfg.min_v_drop:g} "
        f"between argmin R and the end, and its final train error is ≤ {cfg.final_train_fraction:g}τ²."),
    source=SOURCE + ", §2, regime 3 (t ≳ m: a ≍ √m, v ≍ 1/√m, test error rises to a kernel method's)",
    docs=DOCS,
    verification="[V-src] statement (DMFT); [V-num] thresholds calibrated on CPU",
    assumptions=(MODEL, "finite d and m: v falls towards 1/√m only as m → ∞; the thresholds are the calibrated "
                 "CPU-scale amounts, not the limit"),
    configs=DECOUPLING_CONFIGS,
    measure=_sweep_measure,
    judge=_unlearn_judge,
    summarize=_unlearn_summary,
    plot=_unlearn_plot,
))


# -- 6. mean-field tracking (Theorem 2)
def _track_judge(cfg: DecouplingConfig, d: dict) -> list[Check]:
    big = [r["track_error"] for r in d["runs"] if r["m"] >= cfg.track_min_width]
    return [
        Check(f"network tracks the mean-field ODE for t ≤ {cfg.t_track:g} at m ≥ {cfg.track_min_width}",
              max(big, default=math.nan), cfg.max_track_error, "<=",
              f"max over runs with m ≥ {cfg.track_min_width} of sup_(t ≤ {cfg.t_track:g}) |R(t) − e_mf(t)|"),
        Check("tracking error shrinks with the width", d["fit_track"]["slope"], -(0.5 - cfg.track_delta), "<=",
              "least-squares slope of log sup|R − e_mf| against log m (Theorem 2: (1/m ∨ d/n)^(1/2−δ))"),
    ]


def _track_summary(cfg: DecouplingConfig, d: dict) -> str:
    err = _column(d, "track_error")
    return (f"sup_(t≤{cfg.t_track:g}) |R − e_mf| = {' | '.join('/'.join(f'{e:.3f}' for e in x) for x in err)} at m = "
            f"{', '.join(map(str, cfg.widths))} (≤ {cfg.max_track_error:g} for m ≥ {cfg.track_min_width}); slope "
            f"{d['fit_track']['slope']:.2f} (≤ {-(0.5 - cfg.track_delta):g})")


def _track_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    cfg = result.config
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for k, m in enumerate(d["widths"]):
        run = next(r for r in d["runs"] if r["m"] == m)
        t = np.asarray(run["trace"]["t"])
        early = t <= cfg["t_track"]
        ax.plot(t[early], np.asarray(run["trace"]["test_error"])[early], "o-", ms=2, color=f"C{k}",
                label=f"network, m={m}")
    ode = d["runs"][0]["ode"]
    ax.plot(ode["t"], ode["e_mf"], "k--", label="mean-field ODE e_mf")
    ax.axhline(0.5 * d["tau"] ** 2, color="0.6", lw=0.8, label="Bayes τ²/2")
    ax.set_xlabel("t")
    ax.set_ylabel("test error R")
    ax.legend(fontsize=7)
    ax.set_title("Theorem 2: the network follows the ODE for t = O(1)", fontsize=9)
    fig.tight_layout()
    return [("decoupling.mean_field_tracking.png", fig)]


register(Claim(
    id="decoupling.mean_field_tracking",
    title="For t = O(1) the network's test error follows the mean-field ODE",
    statement=lambda cfg: (
        "In the sweep (" + _SWEEP_TEXT.format(**vars(cfg)) + f"), sup over t ≤ {cfg.t_track:g} of |R(t) − e_mf(t)| is "
        f"≤ {cfg.max_track_error:g} for every run with m ≥ {cfg.track_min_width}, and its log-log slope against m is "
        f"≤ −(1/2 − δ) with δ = {cfg.track_delta:g}."),
    source=SOURCE + ", Theorem 2 (tracking within C(1/m ∨ 1/d ∨ d/n)^(1/2−δ) for t̂ ≤ c₀(log m)^(1/3))",
    docs=DOCS,
    verification="[V-src] theorem; [V-num] measured",
    assumptions=(MODEL, "the cubic σ violates Theorem 2's boundedness hypotheses [R: the paper's figures use it "
                 "too]", "the ODE is the m → ∞ limit at the run's α = n/(md); the 1/d floor is below the measured "
                 "errors at these sizes", "GD step error is included in the measured difference"),
    configs=DECOUPLING_CONFIGS,
    measure=_sweep_measure,
    judge=_track_judge,
    summarize=_track_summary,
    plot=_track_plot,
))
