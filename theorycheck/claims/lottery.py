"""Claims about why lottery tickets win (Zhang, Wang, Liu, Chen, Xiong, NeurIPS 2021;
``docs/theory/lottery_tickets.md``).

Teacher–student one-hidden-layer ReLU regression with planted masks of r unpruned weights per unit, x ~ N(0, I_d),
the student on the teacher's support, (accelerated) GD from ‖W⁰ − W*‖_F = 0.1‖W*‖_F. The model and all thresholds are
reconstructed [R]: only the abstract of the paper was available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register

__all__ = ["PhaseConfig", "RateConfig", "phase_point", "rate_point", "phase_sweep", "n50"]

SOURCE = ("Zhang, Wang, Liu, Chen, Xiong, 'Why Lottery Ticket Wins? A Theoretical Perspective of Sample Complexity on "
          "Sparse Neural Networks' (NeurIPS 2021): sample complexity linear in the unpruned weights per neuron, faster "
          "convergence and a larger convex region for sparser networks")
DOCS = "docs/theory/lottery_tickets.md"
ASSUMPTIONS = (
    "teacher y = (1/K) Σ_j ReLU(⟨w*_j, M_j ⊙ x⟩), x ~ N(0, I_d), noiseless, w*_j ~ N(0, I_r) on r uniformly drawn "
    "coordinates [R: model recalled, not checked against the paper's text]",
    "student on the teacher's mask (M = M*), local init ‖W⁰ − W*‖_F = 0.1‖W*‖_F instead of the paper's tensor "
    "initialisation [R]",
    "step size 1/λ_max of the Gauss–Newton matrix at W⁰ (times 1 + β for the heavy ball), computable without the "
    "teacher",
)


# ------------------------------------------------------------------------------------------ phase sweep
@dataclass(frozen=True)
class PhaseConfig:
    """Success (relative error < ``tol`` within ``iterations`` steps of heavy-ball AGD) and the restricted Hessian
    at W*, for each r and N = multiple·r·K, over ``trials`` teachers."""

    d: int
    k: int
    rs: tuple[int, ...]
    multiples: tuple[float, ...]
    trials: int
    iterations: int = 300
    momentum: float = 0.5
    radius: float = 0.1
    tol: float = 1e-3
    max_ratio_spread: float = 2.0
    max_c_spread: float = 1.5
    pd_level: float = 0.9
    eig_rel_tol: float = 1e-8


PHASE_CONFIGS = {
    "small": PhaseConfig(d=100, k=5, rs=(10, 20, 40), multiples=(0.8, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0), trials=20),
    "paper": PhaseConfig(d=100, k=5, rs=(5, 10, 20, 40, 80),
                         multiples=(0.8, 0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.5, 1.75, 2.0, 3.0),
                         trials=50, iterations=1000),
}


def sample_sizes(cfg: PhaseConfig, r: int) -> list[int]:
    """The sample sizes N = round(multiple·r·K) of the grid at this r."""
    return [int(round(mult * r * cfg.k)) for mult in cfg.multiples]


def phase_point(d: int, k: int, r: int, n: int, seed: int, iterations: int, momentum: float, radius: float,
                tol: float, device: str) -> dict:
    """One teacher: AGD's final relative error and the extreme eigenvalues of the restricted Hessian at W*."""
    from ..dynamics.lottery import TeacherStudent, restricted_hessian_min_eig, train_student
    ts = TeacherStudent.sample(d, k, r, n, seed, device=device)
    lmin, lmax = restricted_hessian_min_eig(ts)
    res = train_student(ts, ts.local_init(radius, seed + 2), iterations=iterations, momentum=momentum, tol=tol)
    return {"error": res.final_error, "lambda_min": lmin, "lambda_max": lmax, "steps": len(res.errors) - 1}


def phase_sweep(ctx: Context, config: PhaseConfig) -> dict:
    """Success fraction and positive-definite fraction per (r, N); shared by the phase and the convexity claim."""
    from ..nn.monte_carlo import child_seeds
    cfg = config
    grid = [(r, n) for r in cfg.rs for n in sample_sizes(cfg, r)]
    seeds = child_seeds(ctx.seed + 11, len(grid) * cfg.trials)
    points = [dict(d=cfg.d, k=cfg.k, r=r, n=n, seed=seeds[g * cfg.trials + t], iterations=cfg.iterations,
                   momentum=cfg.momentum, radius=cfg.radius, tol=cfg.tol, device=str(ctx.device))
              for g, (r, n) in enumerate(grid) for t in range(cfg.trials)]
    rows = ctx.sweep(phase_point, points, "lottery: (N, r) phase diagram")
    out = {"rs": list(cfg.rs), "n": [], "success": [], "pd": [], "lambda_min_median": []}
    for i, r in enumerate(cfg.rs):
        ns = sample_sizes(cfg, r)
        succ, pd, lmin = [], [], []
        for j in range(len(ns)):
            g = i * len(ns) + j
            res = [rows[g * cfg.trials + t]["result"] for t in range(cfg.trials)]
            succ.append(float(np.mean([x["error"] < cfg.tol for x in res])))
            pd.append(float(np.mean([x["lambda_min"] > cfg.eig_rel_tol * x["lambda_max"] for x in res])))
            lmin.append(float(np.median([x["lambda_min"] for x in res])))
        out["n"].append(ns)
        out["success"].append(succ)
        out["pd"].append(pd)
        out["lambda_min_median"].append(lmin)
    return out


def n50(ns: list[int], frac: list[float], level: float = 0.5) -> float:
    """The first N at which the fraction reaches ``level``, interpolated linearly between grid points (NaN if the
    fraction never reaches it; the first grid N if it starts above it)."""
    for j, f in enumerate(frac):
        if f >= level:
            if j == 0:
                return float(ns[0])
            f0, n0, n1 = frac[j - 1], ns[j - 1], ns[j]
            return float(n0 + (level - f0) / (f - f0) * (n1 - n0))
    return math.nan


def _phase_measure(cfg: PhaseConfig, ctx: Context) -> dict:
    sweep = ctx.shared(phase_sweep, config=cfg)
    n50s = [n50(ns, s) for ns, s in zip(sweep["n"], sweep["success"])]
    ratios = [v / r for v, r in zip(n50s, cfg.rs)]
    rs = np.asarray(cfg.rs, dtype=float)
    slope = float(np.dot(rs, n50s) / np.dot(rs, rs)) if all(math.isfinite(v) for v in n50s) else math.nan
    return dict(sweep, n50=n50s, n50_over_r=ratios, fit_slope=slope)


def _spread(values: list[float]) -> float:
    v = np.asarray(values, dtype=float)
    return float(v.max() / v.min()) if np.all(np.isfinite(v)) and v.min() > 0 else math.inf


def _phase_judge(cfg: PhaseConfig, d: dict) -> list[Check]:
    top = min(s[-1] for s in d["success"])
    return [
        Check("N_50 / r varies by less than 2× across r", _spread(d["n50_over_r"]), cfg.max_ratio_spread, "<=",
              "max over r of N_50/r divided by min over r"),
        Check("every r reaches ≥ 90% success on the grid", top, 0.9, ">=",
              "success fraction at the largest N, minimum over r"),
    ]


def _phase_summary(cfg: PhaseConfig, d: dict) -> str:
    text = ", ".join(f"r={r}: N_50={v:.0f} (N_50/r={v / r:.2f})" for r, v in zip(cfg.rs, d["n50"]))
    return (f"{text}; spread of N_50/r = {_spread(d['n50_over_r']):.3f} (≤ {cfg.max_ratio_spread:g}); "
            f"fit N_50 ≈ {d['fit_slope']:.2f}·r (r·K = {cfg.k}·r)")


def _phase_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d, cfg = result.data, result.config
    mults = np.asarray(cfg["multiples"])
    succ = np.asarray(d["success"])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    im = ax.imshow(succ, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1,
                   extent=(-0.5, len(mults) - 0.5, -0.5, len(d["rs"]) - 0.5))
    ax.set_xticks(range(len(mults)), [f"{m:g}" for m in mults])
    ax.set_yticks(range(len(d["rs"])), [str(r) for r in d["rs"]])
    ax.set_xlabel("N / (r·K)")
    ax.set_ylabel("unpruned weights per neuron r")
    for i, v in enumerate(d["n50"]):
        if math.isfinite(v):
            x = np.interp(v / (d["rs"][i] * cfg["k"]), mults, np.arange(len(mults)))
            ax.plot(x, i, "w*", ms=10)
    ax.set_title("AGD success fraction (★ = N_50)", fontsize=9)
    fig.colorbar(im, ax=ax)
    rs = np.asarray(d["rs"], dtype=float)
    for i, r in enumerate(d["rs"]):
        ax2.scatter(d["n"][i], [r] * len(d["n"][i]), c=d["success"][i], cmap="viridis", vmin=0, vmax=1, s=40)
    ax2.plot(d["n50"], rs, "k*", ms=10, label="N_50")
    grid = np.linspace(0, rs.max() * 1.1, 20)
    ax2.plot(d["fit_slope"] * grid, grid, "r--", label=f"fit N_50 = {d['fit_slope']:.2f}·r")
    ax2.set_xlabel("samples N")
    ax2.set_ylabel("r")
    ax2.legend(fontsize=7)
    ax2.set_title("Phase diagram over (N, r) with the fitted line N_50 ∝ r", fontsize=9)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


register(Claim(
    id="lottery.sample_complexity_linear_in_r",
    title="Samples for 50% recovery grow linearly in the unpruned weights per neuron",
    statement=lambda cfg: (
        f"For a planted teacher with K = {cfg.k} ReLU units in d = {cfg.d}, each reading r ∈ {set(cfg.rs)} "
        f"coordinates, heavy-ball AGD (β = {cfg.momentum:g}, {cfg.iterations} iterations) from a local init recovers "
        f"W* to relative error < {cfg.tol:g} in at least half of {cfg.trials} trials once N ≥ N_50(r), and N_50/r "
        f"varies by less than {cfg.max_ratio_spread:g}× across r."),
    source=SOURCE,
    docs=DOCS + "#sample-complexity",
    verification="[R]",
    assumptions=ASSUMPTIONS + ("N_50 interpolated linearly between grid sizes N = multiple·r·K",),
    configs=PHASE_CONFIGS,
    measure=_phase_measure,
    judge=_phase_judge,
    summarize=_phase_summary,
    plot=_phase_plot,
))


def _convex_measure(cfg: PhaseConfig, ctx: Context) -> dict:
    sweep = ctx.shared(phase_sweep, config=cfg)
    n_pd = [n50(ns, pd, cfg.pd_level) for ns, pd in zip(sweep["n"], sweep["pd"])]
    log_d = math.log(cfg.d)
    cs = [v / (r * cfg.k * log_d) for v, r in zip(n_pd, cfg.rs)]
    below = [max(pd for n, pd in zip(ns, pds) if n < r * cfg.k)
             for ns, pds, r in zip(sweep["n"], sweep["pd"], cfg.rs)]
    return {"rs": list(cfg.rs), "n": sweep["n"], "pd": sweep["pd"], "lambda_min_median": sweep["lambda_min_median"],
            "n_pd": n_pd, "c": cs, "pd_below_rank_bound": below}


def _convex_judge(cfg: PhaseConfig, d: dict) -> list[Check]:
    return [
        Check("c = N_PD / (r̄·K·log d) varies by less than 1.5× across r", _spread(d["c"]), cfg.max_c_spread, "<=",
              f"max/min over r of c, N_PD the N where ≥ {cfg.pd_level:.0%} of Hessians are positive definite"),
        Check("never positive definite below N = r·K (rank bound)", max(d["pd_below_rank_bound"]), 0.0, "<=",
              "largest PD fraction at any N < r·K (the Gauss–Newton matrix has rank ≤ N < r·K there)"),
    ]


def _convex_summary(cfg: PhaseConfig, d: dict) -> str:
    text = ", ".join(f"r={r}: N_PD={v:.0f}, c={c:.3f}" for r, v, c in zip(cfg.rs, d["n_pd"], d["c"]))
    return (f"{text}; spread of c = {_spread(d['c']):.3f} (≤ {cfg.max_c_spread:g}); PD fraction below r·K: "
            f"{max(d['pd_below_rank_bound']):.2f} (must be 0)")


def _convex_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d, cfg = result.data, result.config
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for i, r in enumerate(d["rs"]):
        x = np.asarray(d["n"][i]) / (r * cfg["k"] * math.log(cfg["d"]))
        ax.plot(x, d["pd"][i], "o-", label=f"r = {r}: c = {d['c'][i]:.3f}")
    ax.axvline(1 / math.log(cfg["d"]), color="0.4", ls=":", label="N = r·K (rank bound)")
    ax.axhline(cfg["pd_level"], color="C3", ls="--", lw=0.8)
    ax.set_xlabel("N / (r·K·log d)")
    ax.set_ylabel("fraction with restricted Hessian at W* positive definite")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


register(Claim(
    id="lottery.local_convexity",
    title="The restricted Hessian at the teacher is positive definite once N passes c·r̄·K·log d",
    statement=lambda cfg: (
        f"In the set-up of lottery.sample_complexity_linear_in_r, the Hessian of the empirical risk at W* restricted "
        f"to the mask support is positive definite (λ_min > {cfg.eig_rel_tol:g}·λ_max) in ≥ {cfg.pd_level:.0%} of "
        f"{cfg.trials} trials once N ≥ c·r·K·log d, with c varying by less than {cfg.max_c_spread:g}× across r ∈ "
        f"{set(cfg.rs)}, and never below N = r·K."),
    source=SOURCE + " (local convexity region)",
    docs=DOCS + "#local-convexity",
    verification="[R] (the rank bound N ≥ r·K is exact)",
    assumptions=ASSUMPTIONS + ("at W* the residuals vanish and ReLU'' = 0 a.e., so the Hessian is the Gauss–Newton "
                               "matrix (1/N) Σ g_i g_iᵀ",),
    configs=PHASE_CONFIGS,
    measure=_convex_measure,
    judge=_convex_judge,
    summarize=_convex_summary,
    plot=_convex_plot,
))


# ------------------------------------------------------------------------------------------ rate vs r
@dataclass(frozen=True)
class RateConfig:
    """The linear rate of GD at fixed N for each r, averaged over ``trials`` teachers."""

    d: int
    k: int
    rs: tuple[int, ...]
    n: int
    trials: int
    iterations: int = 120
    radius: float = 0.1


RATE_CONFIGS = {
    "small": RateConfig(d=100, k=5, rs=(10, 20, 40), n=2000, trials=16, iterations=80),
    "paper": RateConfig(d=100, k=5, rs=(5, 10, 20, 40, 80), n=2000, trials=30, iterations=300),
}


def rate_point(d: int, k: int, r: int, n: int, seed: int, iterations: int, radius: float, device: str) -> dict:
    """The fitted linear rate ν of GD (β = 0) and of heavy-ball AGD (β = 0.5) for one teacher."""
    from ..dynamics.lottery import TeacherStudent, train_student
    ts = TeacherStudent.sample(d, k, r, n, seed, device=device)
    w0 = ts.local_init(radius, seed + 2)
    gd = train_student(ts, w0, iterations=iterations)
    agd = train_student(ts, w0, iterations=iterations, momentum=0.5)
    return {"nu_gd": gd.rate(), "nu_agd": agd.rate(), "final_gd": gd.final_error,
            "errors_gd": gd.errors[:: max(1, iterations // 60)]}


def _rate_measure(cfg: RateConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 13, cfg.trials)
    points = [dict(d=cfg.d, k=cfg.k, r=r, n=cfg.n, seed=s, iterations=cfg.iterations, radius=cfg.radius,
                   device=str(ctx.device)) for r in cfg.rs for s in seeds]
    rows = ctx.sweep(rate_point, points, "lottery: rate vs r")
    t = cfg.trials
    res = [[rows[i * t + j]["result"] for j in range(t)] for i in range(len(cfg.rs))]
    nu = [[x["nu_gd"] for x in per] for per in res]
    return {"rs": list(cfg.rs), "nu_gd": nu, "nu_agd": [[x["nu_agd"] for x in per] for per in res],
            "mean_nu": [float(np.mean(v)) for v in nu], "se_nu": [float(np.std(v, ddof=1) / math.sqrt(t)) for v in nu],
            "trace": [per[0]["errors_gd"] for per in res], "trace_every": max(1, cfg.iterations // 60)}


def _rate_judge(cfg: RateConfig, d: dict) -> list[Check]:
    m, se = d["mean_nu"], d["se_nu"]
    return [
        Check("mean rate ν strictly increases with r (faster for sparser)", min(m[i + 1] - m[i]
              for i in range(len(m) - 1)), 0.0, ">=", "min over consecutive r of ν(r_next) − ν(r)"),
        Check("sparsest vs densest rate separated by ≥ 3 standard errors",
              (m[-1] - m[0]) / math.hypot(se[0], se[-1]), 3.0, ">=",
              "(ν(r_max) − ν(r_min)) / combined standard error"),
        Check("GD converges linearly at every r", max(m), 1.0, "<=", "largest mean fitted rate ν (< 1: linear)"),
    ]


def _rate_summary(cfg: RateConfig, d: dict) -> str:
    text = ", ".join(f"r={r}: ν={m:.4f}±{s:.4f}" for r, m, s in zip(d["rs"], d["mean_nu"], d["se_nu"]))
    return f"GD rate at N={cfg.n} ({cfg.trials} teachers): {text}; must increase with r (extremes ≥ 3 SE apart)"


def _rate_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, r in enumerate(d["rs"]):
        e = np.asarray(d["trace"][i])
        ax.semilogy(np.arange(len(e)) * d["trace_every"], e, label=f"r = {r} (ν = {d['mean_nu'][i]:.3f})")
    ax.set_xlabel("GD iteration")
    ax.set_ylabel("‖W − W*‖_F / ‖W*‖_F")
    ax.legend(fontsize=7)
    ax.set_title("GD from a local init (one teacher per r)", fontsize=9)
    ax2.errorbar(d["rs"], d["mean_nu"], yerr=d["se_nu"], fmt="o-", label="GD")
    ax2.plot(d["rs"], [np.mean(v) for v in d["nu_agd"]], "s--", label="heavy ball β = 0.5")
    ax2.set_xscale("log")
    ax2.set_xlabel("unpruned weights per neuron r")
    ax2.set_ylabel("fitted linear rate ν (smaller = faster)")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


register(Claim(
    id="lottery.rate_faster_when_sparser",
    title="At fixed N the pruned network converges faster",
    statement=lambda cfg: (
        f"At N = {cfg.n} samples (K = {cfg.k}, d = {cfg.d}), GD from a local init converges linearly to W* with a "
        f"fitted rate ν (mean over {cfg.trials} teachers) that increases with r ∈ {set(cfg.rs)}, i.e. is faster for "
        "sparser networks, the sparsest and the densest r at least 3 standard errors apart."),
    source=SOURCE + " (convergence rate)",
    docs=DOCS + "#convergence-rate",
    verification="[R]",
    assumptions=ASSUMPTIONS + ("the heavy ball's rate (β = 0.5) is momentum-limited at √β ≈ 0.707 for every r here, "
                               "so it is reported, not judged",),
    configs=RATE_CONFIGS,
    measure=_rate_measure,
    judge=_rate_judge,
    summarize=_rate_summary,
    plot=_rate_plot,
))
