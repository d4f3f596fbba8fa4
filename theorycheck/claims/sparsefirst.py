"""Claims on sparse first layers at equal nonzeros (Davelouis, Martin, Bowling 2025; the spatial mask as a graphon,
Pham et al. 2025; ``docs/theory/beyond_kernel.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import loglog_axes, slope_lines

if TYPE_CHECKING:  # annotations only; the modules are imported where they are used
    from ..specs import MLP

__all__ = ["GapConfig", "GraphonConfig", "gap_point", "graphon_point"]

DOCS = "docs/theory/beyond_kernel.md#sparse-first-layers-in-reinforcement-learning"
SOURCE = ("Davelouis, Martin, Bowling 2025, 'On the Interplay Between Sparsity and Training in Deep Reinforcement "
          "Learning' (arXiv 2501.16729), supervised proxy (no theorem)")


# ---------------------------------------------------------------------------------------- fixed vs learned gap
@dataclass(frozen=True)
class GapConfig:
    """Digits, one hidden ReLU layer, ``budget`` first-layer nonzeros (dense: ⌊B/64⌋ units; random/spatial:
    ⌊B/9⌋ units of fan-in 9); fixed weights (logistic readout) vs learned (Adam, ``epochs`` at ``lr``)."""

    budget: int
    patch: int
    epochs: int
    lr: float
    seeds: int
    min_fixed_gap: float = 0.03
    max_learned_gap: float = 0.02


GAP_CONFIGS = {
    "small": GapConfig(budget=2048, patch=3, epochs=40, lr=3e-3, seeds=3),
    "paper": GapConfig(budget=2048, patch=3, epochs=150, lr=1e-3, seeds=10),
}


def gap_point(seed: int, kind: str, mode: str, budget: int, patch: int, epochs: int, lr: float, device: str) -> dict:
    """Test accuracy of one (seed, mask kind, fixed/learned) network on digits (a sweep point)."""
    from ..methods.data import digits_split
    from ..methods.sparse_first_layer import (
        first_layer_mask,
        fixed_features_accuracy,
        learned_accuracy,
        units_at_budget,
    )
    xtr, ytr, xte, yte = digits_split(seed)
    n_units = units_at_budget(kind, budget, xtr.shape[1], patch * patch)
    mask = first_layer_mask(kind, n_units, (8, 8), patch, seed=seed)
    if mode == "fixed":
        acc = fixed_features_accuracy(xtr, ytr, xte, yte, mask, seed=seed)
    else:
        acc = learned_accuracy(xtr, ytr, xte, yte, mask, epochs=epochs, lr=lr, seed=seed, device=device)
    return {"accuracy": acc, "units": n_units, "nonzeros": int(mask.sum())}


def _gap_measure(cfg: GapConfig, ctx: Context) -> dict:
    from ..methods.sparse_first_layer import MASK_KINDS
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 90, cfg.seeds)
    points = [dict(seed=s, kind=k, mode=m, budget=cfg.budget, patch=cfg.patch, epochs=cfg.epochs, lr=cfg.lr,
                   device=str(ctx.device)) for m in ("fixed", "learned") for k in MASK_KINDS for s in seeds]
    rows = ctx.sweep(gap_point, points, "sparse first layer: fixed vs learned (networks)")
    acc = {m: {k: [r["result"]["accuracy"] for r in rows if r["mode"] == m and r["kind"] == k] for k in MASK_KINDS}
           for m in ("fixed", "learned")}
    units = {k: next(r["result"]["units"] for r in rows if r["kind"] == k) for k in MASK_KINDS}
    nonzeros = {k: next(r["result"]["nonzeros"] for r in rows if r["kind"] == k) for k in MASK_KINDS}
    gaps = {m: float(np.mean([(r + s) / 2 - d for d, r, s in zip(acc[m]["dense"], acc[m]["random"],
                                                                   acc[m]["spatial"])])) for m in acc}
    spatial_minus_random = {m: float(np.mean(acc[m]["spatial"]) - np.mean(acc[m]["random"])) for m in acc}
    return {"accuracy": acc, "units": units, "nonzeros": nonzeros, "gap": gaps,
            "spatial_minus_random": spatial_minus_random, "seeds": seeds}


def _gap_judge(cfg: GapConfig, d: dict) -> list[Check]:
    g = d["gap"]
    meaning = "mean over seeds of mean(acc random, acc spatial) − acc dense, test accuracy"
    return [
        Check("sparsity gains more with fixed than with learned hidden weights", g["fixed"] - g["learned"], 0.0, ">=",
              "fixed-weights gap − learned-weights gap (" + meaning + ")"),
        Check("fixed weights: sparse beats dense at equal nonzeros", g["fixed"], cfg.min_fixed_gap, ">=", meaning),
        Check("learned weights: sparse ≈ dense at equal nonzeros", g["learned"], cfg.max_learned_gap, "<=", meaning),
    ]


def _gap_summary(cfg: GapConfig, d: dict) -> str:
    from ..methods.sparse_first_layer import MASK_KINDS
    a, g, sr = d["accuracy"], d["gap"], d["spatial_minus_random"]
    means = "; ".join(f"{m}: " + ", ".join(f"{k} {np.mean(a[m][k]):.3f}" for k in MASK_KINDS) for m in a)
    return (f"gap fixed {g['fixed']:+.3f} (≥ {cfg.min_fixed_gap}) vs learned {g['learned']:+.3f} "
            f"(≤ {cfg.max_learned_gap}); {means}; spatial − random: fixed {sr['fixed']:+.3f}, learned "
            f"{sr['learned']:+.3f} (not checked)")


def _gap_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    from ..methods.sparse_first_layer import MASK_KINDS

    d = result.data
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for j, mode in enumerate(("fixed", "learned")):
        for i, kind in enumerate(MASK_KINDS):
            accs = d["accuracy"][mode][kind]
            xs = np.full(len(accs), i + 4 * j, dtype=float) + np.linspace(-0.15, 0.15, len(accs))
            ax.scatter(xs, accs, s=16, color=f"C{i}", label=f"{kind} ({d['units'][kind]} units)" if j == 0 else None)
            ax.hlines(np.mean(accs), i + 4 * j - 0.3, i + 4 * j + 0.3, color=f"C{i}")
    ax.set_xticks([1, 5], [f"fixed (gap {d['gap']['fixed']:+.3f})", f"learned (gap {d['gap']['learned']:+.3f})"])
    ax.set_ylabel("digits test accuracy")
    ax.set_title(f"First layer at {result.config['budget']} nonzeros", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [("sparsefirst.fixed_vs_learned_gap.png", fig)]


register(Claim(
    id="sparsefirst.fixed_vs_learned_gap",
    title="At equal first-layer nonzeros, sparsity helps fixed hidden weights more than learned ones",
    statement=lambda cfg: (
        f"On digits with {cfg.budget} first-layer nonzeros (dense {cfg.budget // 64} units; random and "
        f"{cfg.patch}×{cfg.patch} spatial masks {cfg.budget // cfg.patch ** 2} units), the test-accuracy gain of the "
        "sparse masks over dense, averaged over "
        f"{cfg.seeds} seeds, is ≥ {cfg.min_fixed_gap:g} with fixed random hidden weights (logistic readout), "
        f"≤ {cfg.max_learned_gap:g} with learned ones (Adam, {cfg.epochs} epochs), and larger fixed than learned."),
    source=SOURCE,
    docs=DOCS,
    verification="[V-num]",
    assumptions=(
        "a supervised proxy: the paper's DQN on MinAtar (millions of frames) is out of reach; digits stand in",
        "He-scaled Gaussian hidden weights per unit fan-in, biases N(0, 0.01); standardised random features and "
        "scikit-learn's logistic regression (C = 1) as the fixed-weights readout",
        "the Predictive and L1 structures of the paper are not reproduced",
    ),
    configs=GAP_CONFIGS,
    measure=_gap_measure,
    judge=_gap_judge,
    summarize=_gap_summary,
    plot=_gap_plot,
    exploratory="an empirical comparison without a theorem, on a supervised proxy of the paper's RL set-up",
))


# -------------------------------------------------------------------------------------- spatial graphon NTK
@dataclass(frozen=True)
class GraphonConfig:
    """Networks of depth ``depth`` whose first layer is sampled from the spatial graphon (p×p patches of the 8×8
    digits), hidden widths P·``width_multiples``, ``seeds`` each, on the first ``n`` digits."""

    patch: int
    depth: int
    width_multiples: tuple[int, ...]
    seeds: int
    n: int
    #: graphon grid = P·this. The spatial graphon is a step function of the unit position with P steps, so the
    #: grid of P midpoints gives the limit exactly (finer grids agree to round-off, tests/claims/test_sparsefirst.py);
    #: beyond 256 positions the input layer's mask rows are sampled (128 per position), ~60× the cost for nothing
    resolution_multiple: int = 1
    level: float = 0.99
    max_halfwidth: float = 0.2
    #: the spatial and constant-density limits must differ by this many times the finite-width error
    min_resolution_ratio: float = 3.0


GRAPHON_CONFIGS = {
    "small": GraphonConfig(patch=3, depth=2, width_multiples=(4, 8, 16, 32, 64, 128), seeds=6, n=10),
    "paper": GraphonConfig(patch=3, depth=2, width_multiples=(4, 8, 16, 32, 64, 128, 256), seeds=16, n=32),
}


def _graphon_spec(patch: int, depth: int, resolution: int, graphon=None) -> MLP:
    from ..methods.sparse_first_layer import spatial_graphon
    from ..specs import MLP
    first = spatial_graphon((8, 8), patch) if graphon is None else graphon
    return MLP(depth=depth, activation="relu", sigma_w=math.sqrt(2), sigma_b=0.1,
               graphons=[first] + [None] * depth, graphon_resolution=resolution)


def graphon_point(patch: int, depth: int, resolution: int, width: int, seed: int, n: int, device: str) -> dict:
    """NTK and NNGP relative errors of one spatial-mask network to the graphon limit (a sweep point)."""
    from ..fixtures import digits, network_kernel_errors
    spec = _graphon_spec(patch, depth, resolution)
    x, _ = digits(n)
    lim = spec.kernel(x)
    return network_kernel_errors(spec, x, width, seed, device, {"ntk": lim.ntk, "nngp": lim.nngp}, ("ntk", "nngp"))


def _graphon_measure(cfg: GraphonConfig, ctx: Context) -> dict:
    from ..fixtures import digits
    from ..methods.sparse_first_layer import n_patches
    from ..nn.monte_carlo import child_seeds
    from ..stats import loglog_fit, relative_frobenius
    p = n_patches((8, 8), cfg.patch)
    resolution = p * cfg.resolution_multiple
    widths = [p * m for m in cfg.width_multiples]
    seeds = child_seeds(ctx.seed + 91, cfg.seeds * len(widths))
    points = [dict(patch=cfg.patch, depth=cfg.depth, resolution=resolution, width=w, seed=seeds[i * cfg.seeds + j],
                   n=cfg.n, device=str(ctx.device)) for i, w in enumerate(widths) for j in range(cfg.seeds)]
    rows = ctx.sweep(graphon_point, points, "spatial graphon NTK (width × seed)")
    err = {k: [[rows[i * cfg.seeds + j]["result"][k] for j in range(cfg.seeds)] for i in range(len(widths))]
           for k in ("ntk", "nngp")}
    fit = loglog_fit(np.repeat(np.asarray(widths, dtype=float), cfg.seeds), np.asarray(err["ntk"]).ravel())
    x, _ = digits(cfg.n)
    spatial = _graphon_spec(cfg.patch, cfg.depth, resolution).kernel(x).ntk
    density = cfg.patch**2 / 64
    constant = _graphon_spec(cfg.patch, cfg.depth, resolution, graphon=density).kernel(x).ntk
    return {"widths": widths, "n_patches": p, "resolution": resolution, "err_ntk": err["ntk"], "err_nngp": err["nngp"],
            "slope": fit.slope, "halfwidth_99": fit.halfwidth(cfg.level), "intercept": fit.intercept,
            "spatial_vs_constant": relative_frobenius(constant.numpy(), spatial.numpy()), "density": density}


def _graphon_judge(cfg: GraphonConfig, d: dict) -> list[Check]:
    last = float(np.mean(d["err_ntk"][-1]))
    return [
        Check("NTK error slope within its 99% CI of −1/2", abs(d["slope"] + 0.5), d["halfwidth_99"], "<=",
              "|fitted log-log slope of ‖Θ̂ − Θ_graphon‖_F/‖Θ_graphon‖_F vs width + 1/2|"),
        Check("CI narrow enough to be conclusive", d["halfwidth_99"], cfg.max_halfwidth, "<=",
              "99% CI half-width of the fitted slope"),
        Check("the spatial limit differs from the constant-density limit, resolved at the largest width",
              d["spatial_vs_constant"] / last, cfg.min_resolution_ratio, ">=",
              "‖Θ_spatial − Θ_const‖_F/‖Θ_spatial‖_F divided by the mean NTK error at the largest width"),
    ]


def _graphon_summary(cfg: GraphonConfig, d: dict) -> str:
    last = float(np.mean(d["err_ntk"][-1]))
    return (f"slope {d['slope']:+.3f} ± {d['halfwidth_99']:.3f} (99% CI; predicted −1/2); error at m="
            f"{d['widths'][-1]}: {last:.3g}; spatial vs constant-density ({d['density']:.4g}) limit "
            f"{d['spatial_vs_constant']:.3f} = {d['spatial_vs_constant'] / last:.1f}× that error "
            f"(≥ {cfg.min_resolution_ratio:g})")


def _graphon_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    errs = np.asarray(d["err_ntk"])
    widths = np.asarray(d["widths"], dtype=float)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j in range(errs.shape[1]):
        ax.scatter(widths, errs[:, j], s=10, color="0.6", label="one network" if j == 0 else None)
    ax.plot(widths, errs.mean(axis=1), "o-", color="C0", label="mean over seeds")
    slope_lines(ax, np.repeat(widths, errs.shape[1]), errs.ravel(), d)
    ax.axhline(d["spatial_vs_constant"], color="C2", ls="-.", label="spatial vs constant-density limit")
    loglog_axes(ax, "hidden width m", "relative Frobenius error of empirical NTK")
    ax.set_title("Spatial first-layer mask: finite networks vs graphon NTK", fontsize=9)
    fig.tight_layout()
    return [("sparsefirst.spatial_graphon_ntk.png", fig)]


register(Claim(
    id="sparsefirst.spatial_graphon_ntk",
    title="Networks with a spatial first-layer mask converge to the spatial-graphon NTK",
    statement=lambda cfg: (
        f"With the first layer sampled from the {cfg.patch}×{cfg.patch}-patch spatial graphon on 8×8 digits "
        f"(depth {cfg.depth}, ReLU, σ_w² = 2, σ_b = 0.1), the empirical NTK's relative error to the graphon NTK "
        f"falls with slope −1/2 in the width ({cfg.seeds} seeds per width, 99% CI), and the spatial limit differs "
        f"from the constant-density limit by ≥ {cfg.min_resolution_ratio:g}× the error at the largest width."),
    source="Pham, Ta, Jacobs, Burkholz, Tran-Thanh 2025 (graphon NTK, NeurIPS) applied to the spatial mask of "
           "Davelouis, Martin, Bowling 2025",
    docs=DOCS,
    verification="[R]",
    assumptions=("[R] the graphon NTK recursion is reconstructed (checked numerically against masked networks)",
                 "widths and the graphon resolution are multiples of the number of patch positions, so every patch "
                 "gets the same share of units"),
    configs=GRAPHON_CONFIGS,
    measure=_graphon_measure,
    judge=_graphon_judge,
    summarize=_graphon_summary,
    plot=_graphon_plot,
))
