"""Claims about pruning before training (Yang, Liang, Guo, Wu, Wang, arXiv 2301.00335;
``docs/theory/pruning_before_training.md``).

The set-up (data model, activation, sizes) is reconstructed [R/?]: the signal-plus-noise patch model of Cao et al.
2022 with μ = ‖μ‖e₁, a polynomial ReLU σ(z) = max(0, z)³, m neurons per class with Bernoulli(1 − p) masks, full-batch
GD on the logistic loss until the training loss is below 0.01. The small scale uses d = 1000, m = 10 (not the brief's
d = 400, m = 50): the negative regime needs (1 − p)·m ≪ 1 (no neuron keeps the signal coordinate) while
2m(1 − p)(d − 1) ≫ n (the noise can still be memorised); with m = 50 a run at p = 0.98 keeps ≈ 1 signal neuron per
class and measured a test error of 0.013 (3 seeds), far from chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import values_vs_bounds

__all__ = ["PBTConfig", "DimConfig", "pbt_point", "pbt_sweep", "dim_point"]

SOURCE = ("Yang, Liang, Guo, Wu, Wang, 'Pruning Before Training May Improve Generalization, Provably' "
          "(arXiv 2301.00335; JMLR 26(84) 2025): positive result (generalisation for p below a threshold, improving "
          "with p) and negative result (a large p at which GD memorises noise and the test error is chance)")
DOCS = "docs/theory/pruning_before_training.md"
MODEL_ASSUMPTIONS = (
    "data: y ~ Unif{±1}, x = [y·μ, ξ], μ = ‖μ‖e₁ (one coordinate, so pruning can remove the signal), "
    "ξ ~ N(0, σ_p²(I − e₁e₁ᵀ)) [R/?: the Cao et al. 2022 patch model; not checked against the paper's text]",
    "network f = F₊₁ − F₋₁, F_j = (1/m) Σ_r Σ_patches σ(⟨w_{j,r} ⊙ M_{j,r}, x⁽ᵖ⁾⟩), σ(z) = max(0, z)^q, masks "
    "i.i.d. Bernoulli(1 − p), Gaussian init N(0, σ₀²) [R/?: activation and scaling reconstructed]",
    "full-batch GD on the logistic loss, the same learning rate for every p, stopped once the training loss is "
    "< 0.01 [R]; ‖μ‖ chosen so that the dense network (p = 0) sits near the benign-overfitting boundary",
)


# ------------------------------------------------------------------------------------------ 1. effective dimension
@dataclass(frozen=True)
class DimConfig:
    """Monte Carlo of E‖M ⊙ ξ‖² at each p of ``ps`` from ``samples`` (mask, noise) pairs in dimension d."""

    ps: tuple[float, ...]
    d: int
    sigma_p: float
    samples: int
    rel_tol: float = 0.01
    max_z: float = 4.0


DIM_CONFIGS = {
    "small": DimConfig(ps=(0.0, 0.3, 0.6, 0.9, 0.98), d=400, sigma_p=1.5, samples=20000),
    "paper": DimConfig(ps=(0.0, 0.3, 0.6, 0.9, 0.98, 0.99), d=1000, sigma_p=1.0, samples=200000),
}


def dim_point(p: float, d: int, sigma_p: float, samples: int, seed: int) -> dict:
    """Monte Carlo E‖M ⊙ ξ‖² at one p beside (1 − p)σ_p²(d − 1) (a sweep point)."""
    from ..dynamics.pruning_before_training import effective_noise_dim, effective_noise_dim_monte_carlo
    mean, se = effective_noise_dim_monte_carlo(p, sigma_p, d, samples, seed)
    return {"mc": mean, "se": se, "exact": effective_noise_dim(p, sigma_p, d)}


def _dim_measure(cfg: DimConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 31, len(cfg.ps))
    points = [dict(p=p, d=cfg.d, sigma_p=cfg.sigma_p, samples=cfg.samples, seed=s) for p, s in zip(cfg.ps, seeds)]
    rows = ctx.sweep(dim_point, points, "pbt: effective noise dimension")
    res = [r["result"] for r in rows]
    return {"ps": list(cfg.ps), "mc": [r["mc"] for r in res], "se": [r["se"] for r in res],
            "exact": [r["exact"] for r in res]}


def _dim_judge(cfg: DimConfig, d: dict) -> list[Check]:
    mc, se, ex = (np.asarray(d[k]) for k in ("mc", "se", "exact"))
    return [
        Check("Monte Carlo within 1% of (1−p)σ_p²(d−1) at every p", float(np.max(np.abs(mc / ex - 1))), cfg.rel_tol,
              "<=", "max over p of |MC / exact − 1|"),
        Check("deviation within 4 standard errors at every p", float(np.max(np.abs(mc - ex) / se)), cfg.max_z, "<=",
              "max over p of |MC − exact| / (standard error of the MC mean)"),
    ]


def _dim_summary(cfg: DimConfig, d: dict) -> str:
    rel = np.abs(np.asarray(d["mc"]) / np.asarray(d["exact"]) - 1)
    z = np.abs(np.asarray(d["mc"]) - np.asarray(d["exact"])) / np.asarray(d["se"])
    return (f"max |MC/exact − 1| = {rel.max():.2%} (≤ {cfg.rel_tol:.0%}), max |z| = {z.max():.2f} (≤ {cfg.max_z:g}) "
            f"over p = {', '.join(f'{p:g}' for p in d['ps'])}")


def _dim_plot(result: ClaimResult, others: dict) -> list:
    d = result.data
    return values_vs_bounds(
        "pbt.effective_noise_dim.png", [f"p={p:g}" for p in d["ps"]],
        [m / e for m, e in zip(d["mc"], d["exact"])], upper=[1.01] * len(d["ps"]), lower=[0.99] * len(d["ps"]),
        ylabel="MC E‖M⊙ξ‖² / ((1−p)σ_p²(d−1))", title="Effective noise dimension: Monte Carlo over the formula")


register(Claim(
    id="pbt.effective_noise_dim",
    title="A pruned neuron sees the noise energy (1−p)σ_p²(d−1)",
    statement=lambda cfg: (
        f"For ξ ~ N(0, σ_p²(I − e₁e₁ᵀ)) in R^{cfg.d} (σ_p = {cfg.sigma_p:g}) and a Bernoulli(1 − p) mask M "
        f"independent of ξ, E‖M ⊙ ξ‖² = (1 − p)σ_p²(d − 1): a Monte Carlo mean over {cfg.samples} pairs agrees with "
        f"the formula to {cfg.rel_tol:.0%} and within {cfg.max_z:g} standard errors at p = "
        f"{', '.join(f'{p:g}' for p in cfg.ps)}."),
    source=SOURCE + "; the effective noise dimension behind the positive result",
    docs=DOCS + "#effective-noise-dimension",
    verification="[V-num] (exact expectation; the role in the paper's bound is [R])",
    assumptions=("mask and noise independent; the masks and noise come from the simulation's own samplers",),
    configs=DIM_CONFIGS,
    measure=_dim_measure,
    judge=_dim_judge,
    summarize=_dim_summary,
    plot=_dim_plot,
    symbolic=lambda: r"\mathbb{E}\,\|M\odot\xi\|^2 = (1-p)\,\sigma_p^2\,(d-1)",
))


# ------------------------------------------------------------------------------------------ 2–3. the p-sweep
@dataclass(frozen=True)
class PBTConfig:
    """The p-sweep: ``seeds`` runs at each p of ``ps``; n training samples, ``n_test`` fresh test samples.

    ``interior`` are the benign candidates compared with p = 0, ``high_p`` the negative-regime rate (chosen so
    that (1 − p)·m ≤ 0.1 signal-keeping neurons per class are expected), ``benign_p`` the benign rate whose
    coefficients are traced beside ``high_p``'s.
    """

    ps: tuple[float, ...]
    seeds: int
    d: int
    n: int
    m: int
    mu_norm: float
    sigma_p: float = 1.0
    q: float = 3.0
    sigma0: float = 0.01
    lr: float = 0.5
    max_steps: int = 20000
    stop_loss: float = 0.01
    n_test: int = 1000
    interior: tuple[float, ...] = (0.2, 0.4, 0.6)
    high_p: float = 0.99
    benign_p: float = 0.6
    chance_floor: float = 0.4
    trace_points: int = 150


PBT_CONFIGS = {
    "small": PBTConfig(ps=(0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.98, 0.99), seeds=10, d=1000, n=100, m=10,
                       mu_norm=8.0),
    "paper": PBTConfig(ps=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995), seeds=40,
                       d=1000, n=100, m=10, mu_norm=8.0, lr=0.1, max_steps=100000),
}


def pbt_point(p: float, seed: int, data_seed: int, test_seed: int, d: int, n: int, m: int, mu_norm: float,
              sigma_p: float, q: float, sigma0: float, lr: float, max_steps: int, stop_loss: float, n_test: int,
              trace_every: int, trace_points: int, device: str) -> dict:
    """Train one pruned network at rate p; its final values, and with ``trace_every`` > 0 its thinned trace."""
    from ..dynamics.pruning_before_training import PrunedTwoLayerNet, signal_noise_data, train_pruned_two_layer
    train = signal_noise_data(n, d, mu_norm, sigma_p, data_seed, device=device)
    test = signal_noise_data(n_test, d, mu_norm, sigma_p, test_seed, device=device)
    net = PrunedTwoLayerNet(d, m, p, q=q, sigma0=sigma0, seed=seed, device=device)
    every = trace_every if trace_every > 0 else max_steps
    rec = train_pruned_two_layer(net, train, test, lr=lr, steps=max_steps, record_every=every, stop_loss=stop_loss)
    out = dict(rec.final)
    if trace_every > 0:
        keep = np.unique(np.linspace(0, len(rec.steps) - 1, min(trace_points, len(rec.steps))).astype(int))
        out["trace"] = {k: [getattr(rec, k)[i] for i in keep] for k in ("steps", "loss", "test_error", "signal",
                                                                         "noise")}
    return out


def _trace_every(cfg: PBTConfig, p: float, seed_index: int) -> int:
    """Every seed at the benign p is logged every step (a few dozen steps each), seed 0 at the harmful p (thousands
    of slow steps) every 10th; the plot shows the benign run of median test error (not a hand-picked seed)."""
    if p == cfg.benign_p:
        return 1
    return 10 if p == cfg.high_p and seed_index == 0 else 0


def pbt_sweep(ctx: Context, config: PBTConfig) -> dict:
    """Final test error, loss and coefficients for every (p, seed), plus traces at the benign and harmful p.

    Shared by :data:`pbt.nonmonotone_test_error` and :data:`pbt.noise_memorisation` through :meth:`Context.shared`.
    Every seed uses its own training set, test set and initialisation; at a given seed index the data are the same
    for every p (common random numbers), so the p-curve compares like with like.
    """
    from ..nn.monte_carlo import child_seeds
    cfg = config
    seeds = child_seeds(ctx.seed + 7, 3 * cfg.seeds)
    common = dict(d=cfg.d, n=cfg.n, m=cfg.m, mu_norm=cfg.mu_norm, sigma_p=cfg.sigma_p, q=cfg.q, sigma0=cfg.sigma0,
                  lr=cfg.lr, max_steps=cfg.max_steps, stop_loss=cfg.stop_loss, n_test=cfg.n_test,
                  trace_points=cfg.trace_points, device=str(ctx.device))
    points = [dict(p=p, seed=seeds[3 * s], data_seed=seeds[3 * s + 1], test_seed=seeds[3 * s + 2],
                   trace_every=_trace_every(cfg, p, s), **common)
              for p in cfg.ps for s in range(cfg.seeds)]
    rows = ctx.sweep(pbt_point, points, "pbt: test error over p")
    k = cfg.seeds
    res = [[rows[i * k + s]["result"] for s in range(k)] for i in range(len(cfg.ps))]
    out = {key: [[r[key] for r in per_p] for per_p in res]
           for key in ("test_error", "loss", "signal", "noise", "step", "signal_neurons")}
    out["ps"] = list(cfg.ps)
    benign = res[cfg.ps.index(cfg.benign_p)]
    typical = int(np.argsort([r["test_error"] for r in benign], kind="stable")[(len(benign) - 1) // 2])
    out["traces"] = {f"{cfg.benign_p:g}": dict(benign[typical]["trace"], seed_index=typical),
                     f"{cfg.high_p:g}": dict(res[cfg.ps.index(cfg.high_p)][0]["trace"], seed_index=0)}
    return out


def _stats(errors: list[float]) -> tuple[float, float]:
    e = np.asarray(errors, dtype=float)
    return float(e.mean()), float(e.std(ddof=1) / math.sqrt(len(e)))


def _curve_measure(cfg: PBTConfig, ctx: Context) -> dict:
    sweep = ctx.shared(pbt_sweep, config=cfg)
    mean_se = [_stats(e) for e in sweep["test_error"]]
    return dict(sweep, mean=[m for m, _ in mean_se], se=[s for _, s in mean_se])


def _curve_judge(cfg: PBTConfig, d: dict) -> list[Check]:
    ps = d["ps"]
    i0, ih = ps.index(0.0), ps.index(cfg.high_p)
    interior = min(d["mean"][ps.index(p)] for p in cfg.interior)
    return [
        Check(f"some p in {cfg.interior} no worse than p = 0 (within 1 SE)", interior, d["mean"][i0] + d["se"][i0],
              "<=", "min over interior p of the mean test error, against mean + 1 SE at p = 0"),
        Check(f"test error at p = {cfg.high_p:g} near chance", d["mean"][ih], cfg.chance_floor, ">=",
              f"mean test error over {cfg.seeds} seeds at p = {cfg.high_p:g}"),
        Check("every run reached the training-loss target", max(max(r) for r in d["loss"]), cfg.stop_loss, "<=",
              "largest final training loss over all runs"),
    ]


def _curve_summary(cfg: PBTConfig, d: dict) -> str:
    text = ", ".join(f"{p:g}: {m:.3f}±{s:.3f}" for p, m, s in zip(d["ps"], d["mean"], d["se"]))
    return (f"test error (mean ± SE, {cfg.seeds} seeds) by p — {text}; interior min must be ≤ p=0 + 1 SE, "
            f"p={cfg.high_p:g} ≥ {cfg.chance_floor}")


def _curve_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d, cfg = result.data, result.config
    ps, mean, se = (np.asarray(d[k], dtype=float) for k in ("ps", "mean", "se"))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j, errs in enumerate(d["test_error"]):
        ax.scatter([ps[j]] * len(errs), errs, s=8, color="0.65", label="one seed" if j == 0 else None)
    ax.plot(ps, mean, "o-", color="C0", label="mean test error")
    ax.fill_between(ps, mean - se, mean + se, color="C0", alpha=0.25, label="± 1 standard error")
    ax.axhline(0.5, color="C3", ls=":", label="chance")
    ax.axhline(cfg["chance_floor"], color="C3", ls="--", lw=0.8, label=f"threshold {cfg['chance_floor']}")
    ax.set_xlabel("pruning rate p")
    ax.set_ylabel("test error (fresh samples)")
    ax.set_title(f"d={cfg['d']}, n={cfg['n']}, m={cfg['m']}, ‖μ‖={cfg['mu_norm']:g}, q={cfg['q']:g}", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()

    fig2, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, key, kind in zip(axes, (f"{cfg['benign_p']:g}", f"{cfg['high_p']:g}"), ("benign", "harmful")):
        tr = d["traces"][key]
        steps = np.asarray(tr["steps"]) + 1
        ax.plot(steps, np.maximum(tr["signal"], 1e-6), color="C0", label="signal max⟨w⊙M, jμ⟩")
        ax.plot(steps, np.maximum(tr["noise"], 1e-6), color="C1", label="noise max⟨w⊙M, ξ_i⟩")
        ax.plot(steps, tr["loss"], color="0.3", ls="--", label="training loss")
        ax.plot(steps, tr["test_error"], color="C3", ls=":", label="test error")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("GD step + 1")
        ax.set_title(f"{kind}: p = {key} (seed index {tr['seed_index']}, test error {tr['test_error'][-1]:.2f})",
                     fontsize=8)
    axes[0].set_ylabel("coefficient / loss / error")
    axes[0].legend(fontsize=7)
    fig2.tight_layout()
    return [(f"{result.claim_id}.png", fig), ("pbt.coefficients.png", fig2)]


def _statement(cfg: PBTConfig) -> str:
    return (f"With n = {cfg.n} samples of the signal-plus-noise model in d = {cfg.d} (‖μ‖ = {cfg.mu_norm:g}, "
            f"σ_p = {cfg.sigma_p:g}), m = {cfg.m} neurons per class, σ = ReLU^{cfg.q:g} and GD (η = {cfg.lr:g}) to "
            f"training loss < {cfg.stop_loss:g}, the test error over p ∈ {{{', '.join(f'{p:g}' for p in cfg.ps)}}} "
            f"({cfg.seeds} seeds) is non-monotone: some p ∈ {{{', '.join(f'{p:g}' for p in cfg.interior)}}} is no "
            f"worse than p = 0 (within 1 SE), and at p = {cfg.high_p:g} the test error is ≥ {cfg.chance_floor}.")


register(Claim(
    id="pbt.nonmonotone_test_error",
    title="Test error over the pruning rate: better at moderate p, chance at large p",
    statement=_statement,
    source=SOURCE,
    docs=DOCS + "#test-error-over-p",
    verification="[R] (set-up and thresholds reconstructed; the qualitative claim is [V-src abstract])",
    assumptions=MODEL_ASSUMPTIONS + (
        "p ≥ 0.98 near chance [R] is checked at the rate where (1 − p)·m ≤ 0.1 signal-keeping neurons per class are "
        "expected: at (1 − p)·m ≈ 1 a single neuron that keeps e₁ learns the signal and the error stays far "
        "below chance",
    ),
    configs=PBT_CONFIGS,
    measure=_curve_measure,
    judge=_curve_judge,
    summarize=_curve_summary,
    plot=_curve_plot,
))


def _memo_measure(cfg: PBTConfig, ctx: Context) -> dict:
    sweep = ctx.shared(pbt_sweep, config=cfg)
    ps = sweep["ps"]
    out = {"ps": ps, "traces": sweep["traces"]}
    for name, p in (("high", cfg.high_p), ("benign", cfg.benign_p)):
        i = ps.index(p)
        ratio = [s / z for s, z in zip(sweep["signal"][i], sweep["noise"][i])]
        out[name] = {"p": p, "signal_over_noise": ratio, "median_ratio": float(np.median(ratio)),
                     "loss": sweep["loss"][i], "test_error": sweep["test_error"][i],
                     "signal_neurons": sweep["signal_neurons"][i]}
    return out


def _memo_judge(cfg: PBTConfig, d: dict) -> list[Check]:
    h, b = d["high"], d["benign"]
    return [
        Check(f"noise memorisation dominates at p = {cfg.high_p:g}", h["median_ratio"], 1.0, "<=",
              "median over seeds of (final signal coefficient) / (final noise coefficient)"),
        Check(f"training loss below {cfg.stop_loss:g} at p = {cfg.high_p:g}", max(h["loss"]), cfg.stop_loss, "<=",
              "largest final training loss over seeds"),
        Check(f"signal learning dominates at the benign p = {cfg.benign_p:g}", b["median_ratio"], 1.0, ">=",
              "median over seeds of (final signal coefficient) / (final noise coefficient)"),
    ]


def _memo_summary(cfg: PBTConfig, d: dict) -> str:
    h, b = d["high"], d["benign"]
    return (f"signal/noise coefficient (median, {cfg.seeds} seeds): {h['median_ratio']:.3g} at p={cfg.high_p:g} "
            f"(≤ 1) with max loss {max(h['loss']):.3g} (≤ {cfg.stop_loss:g}); {b['median_ratio']:.3g} at "
            f"p={cfg.benign_p:g} (≥ 1)")


def _memo_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for x, key, colour in ((0, "benign", "C0"), (1, "high", "C3")):
        r = np.maximum(d[key]["signal_over_noise"], 1e-4)
        ax.scatter(np.full(len(r), x) + np.linspace(-0.1, 0.1, len(r)), r, color=colour)
        ax.hlines(np.median(r), x - 0.2, x + 0.2, color=colour)
    ax.axhline(1.0, color="0.3", ls=":")
    ax.set_yscale("log")
    ax.set_xticks([0, 1], [f"benign p = {d['benign']['p']:g}", f"harmful p = {d['high']['p']:g}"])
    ax.set_ylabel("final signal / noise coefficient (clipped at 1e-4)")
    ax.set_title("Signal learning vs noise memorisation at the end of training", fontsize=9)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


register(Claim(
    id="pbt.noise_memorisation",
    title="In the negative regime GD fits the data by memorising noise",
    statement=lambda cfg: (
        f"In the set-up of pbt.nonmonotone_test_error, at p = {cfg.high_p:g} GD still drives the training loss "
        f"below {cfg.stop_loss:g}, and at the end the noise-memorisation coefficient max_(j,r,i)⟨w⊙M, ξ_i⟩ exceeds "
        f"the signal-learning coefficient max_(j,r)⟨w⊙M, jμ⟩ (median ratio over {cfg.seeds} seeds ≤ 1), whereas at "
        f"the benign p = {cfg.benign_p:g} the signal coefficient is the larger (median ratio ≥ 1)."),
    source=SOURCE + " (negative result)",
    docs=DOCS + "#noise-memorisation",
    verification="[R]",
    assumptions=MODEL_ASSUMPTIONS,
    configs=PBT_CONFIGS,
    measure=_memo_measure,
    judge=_memo_judge,
    summarize=_memo_summary,
    plot=_memo_plot,
))
