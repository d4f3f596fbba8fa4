"""Claims about the graphon NTK (Pham, Ta, Jacobs, Burkholz, Tran-Thanh, NeurIPS 2025; ``docs/theory/graphon.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import loglog_axes, slope_lines, values_vs_bounds

if TYPE_CHECKING:  # annotations only; the modules are imported where they are used
    import torch

    from ..specs import MLP

__all__ = [
    "mask_sweep_point", "sas_point", "speed_point", "ConstantGraphonConfig", "SampledMaskConfig",
    "LimitHypothesisConfig", "SpeedConfig",
]

SOURCE = "Pham, Ta, Jacobs, Burkholz, Tran-Thanh, NeurIPS 2025 (arXiv 2510.17515)"
DOCS = "docs/theory/graphon.md"
_SW = math.sqrt(2.0)


def _inputs(seed: int, n: int, d: int) -> torch.Tensor:
    """n Gaussian inputs in R^d rescaled to ‖x‖² = d."""
    from ..fixtures import gaussian_inputs
    return gaussian_inputs(seed, n, d, radius=math.sqrt(d))


def _nums(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


# ------------------------------------------------------------------------------------------ constant graphon
@dataclass(frozen=True)
class ConstantGraphonConfig:
    """Depths and constants c of the constant-graphon identity, on n inputs in R^d, graphon grid ``resolution``."""

    depths: tuple[int, ...] = (1, 2, 4)
    cs: tuple[float, ...] = (0.8, 0.5, 0.2)
    n: int = 24
    d: int = 12
    resolution: int = 32
    tol: float = 1e-10
    #: the linearised gradient-flow time is the first time the loss is below this fraction of its initial value
    loss_fraction: float = 0.01


CONSTANT_CONFIGS = {"small": ConstantGraphonConfig(), "paper": ConstantGraphonConfig()}


def _constant_measure(cfg: ConstantGraphonConfig, ctx: Context) -> dict:
    import torch

    from ..specs import MLP
    from ..spectral import linearized_loss, spectral_metrics
    x = _inputs(ctx.seed, cfg.n, cfg.d)
    rows = []
    for depth in cfg.depths:
        full = MLP(depth=depth, sigma_w=_SW, graphons=[1.0] * (depth + 1),
                   graphon_resolution=cfg.resolution).kernel(x).ntk
        # the paper's recursion: the input layer averaged over its mask (d → ∞), see the assumptions
        for c in cfg.cs:
            for readout, k in (("masked", depth + 1), ("dense", depth)):
                gs = [c] * depth + [c if readout == "masked" else None]
                th = MLP(depth=depth, sigma_w=_SW, graphons=gs, graphon_resolution=cfg.resolution,
                         input_layer="gaussian").kernel(x).ntk
                err = float((th - c**k * full).norm() / (c**k * full).norm())
                m1, m2 = spectral_metrics(th), spectral_metrics(full)
                spec_err = max(abs(a - b) / abs(b) for a, b in zip(
                    (m1.decay_alpha, m1.effective_rank, m1.spectral_gap, m1.top5_energy),
                    (m2.decay_alpha, m2.effective_rank, m2.spectral_gap, m2.top5_energy)))
                # linearised gradient flow: time to reach 1% of the initial loss scales as 1/c^k
                r0 = torch.ones(x.shape[0], dtype=torch.float64)
                times = np.geomspace(1e-3, 1e3, 2001)
                target = cfg.loss_fraction * 0.5 * float(r0 @ r0)
                t_full = times[np.argmax(linearized_loss(full, r0, times) <= target)]
                t_c = times[np.argmax(linearized_loss(th, r0, times / c**k) <= target)] / c**k
                time_err = abs(t_c * c**k - t_full) / t_full
                rows.append(dict(depth=depth, c=c, readout=readout, k=k, rel_err=err, spectral_err=spec_err,
                                 time_scaling_err=time_err))
    return {"rows": rows}


def _constant_judge(cfg: ConstantGraphonConfig, d: dict) -> list[Check]:
    rows = d["rows"]
    return [
        Check("graphon NTK = c^k × unmasked NTK", max(r["rel_err"] for r in rows), cfg.tol, "<=",
              "max over depths, c and readout conventions of ‖Θ_c − c^kΘ‖_F/‖c^kΘ‖_F"),
        Check("spectral metrics unchanged", max(r["spectral_err"] for r in rows), cfg.tol, "<=",
              "max relative change of α, tr(Θ)/λ1, λ1/λ2, top-5 energy"),
        Check("linearised gradient-flow time scales as 1/c^k", max(r["time_scaling_err"] for r in rows), cfg.tol,
              "<=", "max |t_c·c^k − t_1|/t_1, t the time to reach 1% of the initial loss"),
    ]


def _constant_summary(cfg: ConstantGraphonConfig, d: dict) -> str:
    rows = d["rows"]
    return (f"over {len(rows)} cases: max deviation of Θ_c/Θ_1 from c^k {max(r['rel_err'] for r in rows):.2g}, of the "
            f"spectral metrics {max(r['spectral_err'] for r in rows):.2g}, of the GF time from 1/c^k scaling "
            f"{max(r['time_scaling_err'] for r in rows):.2g} (each ≤ {cfg.tol:g})")


def _constant_plot(result: ClaimResult, others: dict) -> list:
    rows, tol = result.data["rows"], result.config["tol"]
    vals = [max(x["rel_err"], x["spectral_err"], x["time_scaling_err"], 1e-17) for x in rows]
    return values_vs_bounds("graphon.constant_graphon.png",
                            [f"L{x['depth']} c={x['c']} readout {x['readout']}" for x in rows], vals,
                            upper=[tol] * len(rows), log=True, ylabel="max deviation (clipped at 1e-17)",
                            title="constant graphon: Θ = c^k Θ_dense, spectra and GF time invariant")


register(Claim(
    id="graphon.constant_graphon",
    title="Constant graphon c: Θ = c^k Θ, identical spectral metrics, training time × 1/c^k",
    statement=lambda cfg: (
        "For ReLU without bias and constant graphons W ≡ c on k weight matrices (k = L+1 with the readout masked, L "
        f"with it dense; L ∈ {{{_nums(cfg.depths)}}}, c ∈ {{{_nums(cfg.cs)}}}, {cfg.n} inputs in R^{cfg.d}), the "
        f"graphon NTK equals c^k times the unmasked one to {cfg.tol:g}; the spectral metrics α, tr(Θ)/λ1, λ1/λ2 and "
        f"top-5 energy are unchanged to {cfg.tol:g}; and the linearised gradient-flow time to reach "
        f"{cfg.loss_fraction:.0%} of the initial loss scales as 1/c^k to {cfg.tol:g}."),
    source=SOURCE + " (Random pruning ⇒ constant graphon ⇒ NTK scaled by c^L)",
    docs=DOCS + "#constant-graphon",
    verification="[V-src] statement; [V-num] exact c^{#masked matrices} (the paper's c^L after dropping a '+1' term)",
    assumptions=("graphon recursion reconstructed [R]; positions on a grid (exact for constant graphons)",
                 "the graphon recursion's input layer (Σ̃^{(1)}(v) = σ_w²/d Σ_j W(v, u_j) x_j x'_j + σ_b²) is the "
                 "d → ∞ treatment (input_layer='gaussian'); networks masked at a fixed input dimension d converge "
                 "to the mixture over mask rows instead, for which c^k is not exact (pruned.scaling_identity, "
                 "pruned.input_layer_gap)"),
    configs=CONSTANT_CONFIGS,
    measure=_constant_measure,
    judge=_constant_judge,
    summarize=_constant_summary,
    plot=_constant_plot,
))


# ------------------------------------------------------------------------------------------ sampled masks
@dataclass(frozen=True)
class SampledMaskConfig:
    """Widths × ``seeds`` networks with masks sampled from the smooth graphon, on n inputs in R^d."""

    widths: tuple[int, ...]
    seeds: int
    n: int = 5
    d: int = 12
    depth: int = 2
    resolution: int = 512
    #: mask rows per position for the exact fixed-d limit of the graphon-masked input layer (8 balanced batches)
    limit_rows: int = 64
    level: float = 0.99
    #: as for the dense rate claims: a wider 99% interval is inconclusive, never passed
    max_halfwidth: float = 0.2


# n = 128 is pre-asymptotic for this graphon (minimum density 0.15): seen rising from 128 to 256 for one seed
MASK_CONFIGS = {"small": SampledMaskConfig(widths=(256, 512, 1024, 2048), seeds=16),
                "paper": SampledMaskConfig(widths=(256, 512, 1024, 2048, 4096), seeds=32)}


def _mask_spec(depth: int, resolution: int, rows: int = 64) -> MLP:
    from ..fixtures import smooth_graphon
    from ..specs import MLP
    return MLP(depth=depth, sigma_w=_SW, graphons=[smooth_graphon] * (depth + 1), graphon_resolution=resolution,
               input_layer_rows=rows)


def mask_sweep_point(width: int, seed: int, input_seed: int, device: str, n: int = 5, d: int = 12, depth: int = 2,
                     resolution: int = 512, limit: list | None = None) -> float:
    """Relative error of one graphon-masked network's empirical NTK to the graphon NTK (a sweep point).

    ``limit``: the limiting NTK as nested lists (default: the spec's, exact at fixed d; computed once by the claim).
    """
    import torch

    from ..fixtures import network_kernel_error
    spec = _mask_spec(depth, resolution)
    ref = None if limit is None else torch.tensor(limit, dtype=torch.float64)
    return network_kernel_error(spec, _inputs(input_seed, n, d), width, seed, device, ref)


def _mask_measure(cfg: SampledMaskConfig, ctx: Context) -> dict:
    from ..kernels.recursion import mlp_kernels
    from ..nn.monte_carlo import child_seeds
    from ..stats import loglog_fit
    seeds = child_seeds(ctx.seed + 201, cfg.seeds * len(cfg.widths))
    points = [dict(width=w, seed=seeds[i * cfg.seeds + j], input_seed=ctx.seed, device=str(ctx.device), n=cfg.n,
                   d=cfg.d, depth=cfg.depth, resolution=cfg.resolution)
              for i, w in enumerate(cfg.widths) for j in range(cfg.seeds)]
    # the input layer is masked by the graphon at fixed d: the limit is the mixture over each position's mask row
    # (docs/theory/pruned.md#the-exact-fixed-d-limit), sampled in 8 balanced batches with standard errors
    x = _inputs(ctx.seed, cfg.n, cfg.d)
    exact = _mask_spec(cfg.depth, cfg.resolution, cfg.limit_rows).kernel(x)
    spec = _mask_spec(cfg.depth, cfg.resolution)
    recursion = mlp_kernels(x, None, depth=cfg.depth, sigma_w=spec.sigma_w, sigma_b=spec.sigma_b,
                            expect=spec.activation.expectations(spec.quadrature_degree),
                            steps=spec.kernel_steps(cfg.d))[1]
    limit = exact.ntk.tolist()
    for pt in points:
        pt["limit"] = limit
    done = ctx.sweep(mask_sweep_point, points, "graphon: sampled-mask sweep")
    widths = np.array([r["width"] for r in done], dtype=float)
    errs = np.array([r["result"] for r in done])
    fit = loglog_fit(widths, errs)
    means = [float(errs[widths == w].mean()) for w in cfg.widths]
    norm = float(exact.ntk.norm())
    return dict(limit_method=exact.info["input_layer"], limit_stderr=float(exact.info["ntk_stderr"].norm()) / norm,
                recursion_gap=float((recursion - exact.ntk).norm()) / norm,
                rows=[dict(width=r["width"], seed=r["seed"], err=r["result"]) for r in done], slope=fit.slope,
                halfwidth_99=fit.halfwidth(cfg.level), intercept=fit.intercept, stderr=fit.stderr, n_nets=fit.n,
                predicted_slope=-0.5, widths=list(cfg.widths), mean_by_width=means)


def _mask_judge(cfg: SampledMaskConfig, d: dict) -> list[Check]:
    means = d["mean_by_width"]
    return [
        Check("fitted slope within its 99% CI of −1/2", abs(d["slope"] + 0.5), d["halfwidth_99"], "<=",
              "|fitted log-log slope + 1/2| against the 99% CI half-width"),
        Check("CI narrow enough to be conclusive", d["halfwidth_99"], cfg.max_halfwidth, "<=",
              "99% CI half-width of the fitted slope"),
        Check("mean error decreases with width", max(b / a for a, b in zip(means, means[1:])), 1.0, "<=",
              "largest ratio of the mean error at one width to that at the previous width"),
    ]


def _mask_summary(cfg: SampledMaskConfig, d: dict) -> str:
    return (f"slope of log err vs log n: {d['slope']:+.3f} ± {d['halfwidth_99']:.3f} (99% CI, {d['n_nets']} nets), "
            "predicted −1/2; mean error by width "
            + ", ".join(f"{w}: {m:.3f}" for w, m in zip(d["widths"], d["mean_by_width"]))
            + " (calibration at n = 2048: 0.046–0.059); limit exact at fixed d (sampled, relative SE "
            f"{d['limit_stderr']:.1e}; the d → ∞ recursion is {d['recursion_gap']:.3f} away)")


def _mask_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.scatter([x["width"] for x in d["rows"]], [x["err"] for x in d["rows"]], s=10, color="0.6",
               label="one network")
    ax.plot(d["widths"], d["mean_by_width"], "o-", label="mean")
    slope_lines(ax, [x["width"] for x in d["rows"]], [x["err"] for x in d["rows"]], d)
    loglog_axes(ax, "width n", "relative error of Θ̂ to the graphon NTK")
    ax.set_title("masks sampled from W(v,u) = 0.15 + 0.8uv", fontsize=9)
    fig.tight_layout()
    return [("graphon.ntk_matches_masks.png", fig)]


register(Claim(
    id="graphon.ntk_matches_masks",
    title="The graphon NTK is the limit of networks whose masks are sampled from a smooth graphon",
    statement=lambda cfg: (
        "For masks M_ij ~ Bernoulli(W(i/n, j/n')) with W(v,u) = clip(0.15 + 0.8uv, 0, 1), ReLU, σ_w² = 2, "
        f"L = {cfg.depth}, {cfg.n} inputs in R^{cfg.d}, the empirical NTK converges to the graphon NTK recursion: "
        f"the mean error decreases over n ∈ {{{', '.join(map(str, cfg.widths))}}} ({cfg.seeds} seeds each), the "
        f"log-log slope is −1/2 within its {cfg.level:.0%} confidence interval, and that interval is narrower than "
        f"±{cfg.max_halfwidth:g}."),
    source=SOURCE + " (Prop. 1, Thm 1)",
    docs=DOCS + "#sampled-masks",
    verification="[R] recursion (display formulas not decoded), [V-num] against sampled masks",
    assumptions=("no bias; masks independent of the weights; graphon evaluated at cell midpoints",
                 "the input layer is masked at the fixed d: the limit is the exact mixture over each position's mask "
                 "row (docs/theory/pruned.md#the-exact-fixed-d-limit; balanced sampling, its standard error is "
                 "reported), not the d → ∞ graphon recursion (its gap is reported)",
                 "the calibrated absolute threshold (< 0.10 at n = 2048, from 0.046–0.059 on 3–4 seeds) is not "
                 "applied: over 6 seeds × 4 input sets the mean error at n = 2048 was 0.088–0.104, while the n^-1/2 "
                 "rate holds, so the level, not the limit, differs from the calibration"),
    configs=MASK_CONFIGS,
    measure=_mask_measure,
    judge=_mask_judge,
    summarize=_mask_summary,
    plot=_mask_plot,
))


# ------------------------------------------------------------------------------------------ graphon limit hypothesis
@dataclass(frozen=True)
class LimitHypothesisConfig:
    """SAS estimates (K × K) of the first hidden-to-hidden mask of a depth-3 MLP at ``density``, per width."""

    widths: tuple[int, ...]
    k: int
    synflow_iters: int
    density: float = 0.2
    #: the cell spread of constant-limit methods decays like (n·density)^slope with |slope + 1/2| ≤ this
    slope_tol: float = 0.2
    min_first_minus_last: float = 0.1
    min_spread_factor: float = 3.0


GLH_CONFIGS = {"small": LimitHypothesisConfig(widths=(128, 256, 512, 1024, 2048), k=16, synflow_iters=20),
               "paper": LimitHypothesisConfig(widths=(100, 500, 1000, 2000), k=64, synflow_iters=100)}
_GLH_METHODS = ("random", "magnitude", "snip", "synflow")


def sas_point(method: str, width: int, k: int, density: float, seed: int, synflow_iters: int) -> dict:
    """SAS histogram of the first hidden-to-hidden mask of a depth-3 MLP pruned by ``method`` (a sweep point)."""
    from .. import masks as pai
    from ..fixtures import digits_regression
    from ..specs import MLP
    from ..topology import sas_histogram

    x, y = digits_regression()
    net = MLP(depth=3, sigma_w=_SW, sigma_b=0.1).network(width, x.shape[1], seed=seed)
    masks = {"random": lambda: pai.random_masks(net, density, seed=seed + 1),
             "magnitude": lambda: pai.magnitude_masks(net, density),
             "snip": lambda: pai.snip_masks(net, density, x, y),
             "synflow": lambda: pai.synflow_masks(net, density, iterations=synflow_iters)}[method]()
    m = masks[1]
    h = sas_histogram(m, k)
    rho = float(m.mean())
    cell_se = math.sqrt(rho * (1 - rho) / ((width / k) ** 2))
    return {"hist": h.tolist(), "density": rho, "rel_spread": float(h.std() / h.mean()),
            "first_minus_last": float(h[0].mean() - h[-1].mean()),
            "max_cell_dev_in_se": float(np.abs(h - rho).max() / cell_se)}


def _glh_measure(cfg: LimitHypothesisConfig, ctx: Context) -> dict:
    from ..topology import histogram_distance

    points = [dict(method=m, width=w, k=cfg.k, density=cfg.density, seed=ctx.seed, synflow_iters=cfg.synflow_iters)
              for m in _GLH_METHODS for w in cfg.widths]
    done = ctx.sweep(sas_point, points, "graphon: SAS histograms")
    res = {(r["method"], r["width"]): r["result"] for r in done}
    widths, top = cfg.widths, cfg.widths[-1]
    rows = []
    for m in _GLH_METHODS:
        spreads = [res[(m, w)]["rel_spread"] for w in widths]
        dists = [histogram_distance(np.array(res[(m, w)]["hist"]), np.array(res[(m, top)]["hist"])) for w in widths]
        slope = float(np.polyfit(np.log(np.array(widths) * cfg.density), np.log(spreads), 1)[0])
        rows.append(dict(method=m, widths=list(widths), rel_spread=spreads, distance_to_largest=dists,
                         spread_slope=slope, first_minus_last=res[(m, top)]["first_minus_last"],
                         max_cell_dev_in_se=[res[(m, w)]["max_cell_dev_in_se"] for w in widths]))
    return {"rows": rows, "hists": {f"{m}@{w}": res[(m, w)]["hist"] for m in _GLH_METHODS for w in widths}}


def _glh_judge(cfg: LimitHypothesisConfig, d: dict) -> list[Check]:
    by = {r["method"]: r for r in d["rows"]}
    top = cfg.widths[-1]
    out = []
    for m in ("random", "magnitude"):
        out.append(Check(f"{m}: cell spread ∝ (n·density)^-1/2", abs(by[m]["spread_slope"] + 0.5), cfg.slope_tol,
                         "<=", "|least-squares slope of log relative cell spread vs log(n·density) + 1/2|"))
        dist = by[m]["distance_to_largest"][:-1]
        out.append(Check(f"{m}: distance to n = {top} decreases monotonically",
                         max(b / a for a, b in zip(dist, dist[1:])), 1.0, "<=",
                         "largest ratio of consecutive histogram distances to the largest width's estimate"))
    base = max(by["random"]["rel_spread"][-1], by["magnitude"]["rel_spread"][-1])
    for m in ("snip", "synflow"):
        out.append(Check(f"{m}: non-constant (first − last row density)", by[m]["first_minus_last"],
                         cfg.min_first_minus_last, ">=",
                         f"mean density of the first minus the last SAS row at n = {top}"))
        out.append(Check(f"{m}: cell spread well above random/magnitude", by[m]["rel_spread"][-1] / base,
                         cfg.min_spread_factor, ">=",
                         f"relative cell spread at n = {top} over the larger of random's and magnitude's"))
    return out


def _glh_summary(cfg: LimitHypothesisConfig, d: dict) -> str:
    rows = d["rows"]
    by = {r["method"]: r for r in rows}
    return ("spread slopes " + ", ".join(f"{m} {by[m]['spread_slope']:+.2f}" for m in ("random", "magnitude"))
            + f" (−1/2 ± {cfg.slope_tol:g}); relative cell spread at n = {cfg.widths[-1]}: "
            + ", ".join(f"{r['method']} {r['rel_spread'][-1]:.3f}" for r in rows)
            + "; first − last row density " + ", ".join(f"{m} {by[m]['first_minus_last']:+.2f}"
                                                        for m in ("snip", "synflow"))
            + "; random masks' max cell deviation in cell SEs grows with n (degree sorting): "
            + ", ".join(f"{v:.1f}" for v in by["random"]["max_cell_dev_in_se"]))


def _glh_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    rows = result.data["rows"]
    widths = rows[0]["widths"]
    methods = [row["method"] for row in rows]
    fig, axes = plt.subplots(len(methods), len(widths), figsize=(1.9 * len(widths), 1.9 * len(methods)))
    for i, m in enumerate(methods):
        for j, w in enumerate(widths):
            ax = axes[i][j]
            ax.imshow(np.array(result.data["hists"][f"{m}@{w}"]), vmin=0, vmax=1, cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"n = {w}", fontsize=8)
            if j == 0:
                ax.set_ylabel(m, fontsize=8)
    fig.suptitle("SAS graphon estimates (degree-sorted block densities), first hidden layer, density "
                 f"{result.config['density']:g}", fontsize=9)
    fig.tight_layout()
    return [("graphon.limit_hypothesis.png", fig)]


register(Claim(
    id="graphon.limit_hypothesis",
    title="Graphon limit hypothesis: random/magnitude masks → constant graphon; SNIP/SynFlow → non-constant",
    statement=lambda cfg: (
        f"For the first hidden-to-hidden mask of a depth-3 MLP at density {cfg.density:g} over widths "
        f"{', '.join(map(str, cfg.widths))} (SAS, K = {cfg.k}): the relative cell spread of random and "
        "magnitude-at-init masks decays roughly like (n·density)^-1/2 (least-squares slope in "
        f"[{-0.5 - cfg.slope_tol:g}, {-0.5 + cfg.slope_tol:g}]) and the histogram distance to the largest width "
        "decreases monotonically; SNIP (on digits) and SynFlow masks are measurably non-constant (first − last row "
        f"density ≥ {cfg.min_first_minus_last:g}, cell spread ≥ {cfg.min_spread_factor:g}× the random and magnitude "
        "ones)."),
    source=SOURCE + " (Graphon Limit Hypothesis, §3; graphon estimation experiments)",
    docs=DOCS + "#graphon-limit-hypothesis",
    verification="[V-src] hypothesis (empirical in the paper); [R] thresholds",
    assumptions=("SAS: outputs sorted by in-degree, inputs by out-degree, block means on a K × K grid",
                 "the theory notes' 'all cell means within 3 standard errors of the density' is not asserted: "
                 "degree sorting biases each cell by O(√(ρ/n)) while a cell's standard error is O(K√ρ/n), so the "
                 "deviation in standard errors grows like √n/K (measured 3 → 11 for random masks); the cell "
                 "spread itself still vanishes, which is what a constant limit means",
                 "'roughly 1/√(n·density)' is read with the slope range [−0.7, −0.3] used for the pruned "
                 "effective-width calibration"),
    configs=GLH_CONFIGS,
    measure=_glh_measure,
    judge=_glh_judge,
    summarize=_glh_summary,
    plot=_glh_plot,
))


# ------------------------------------------------------------------------------------------ spectrum vs training speed
@dataclass(frozen=True)
class SpeedConfig:
    """PaI-masked depth-4 MLPs of width ``width`` on digits: NTK spectrum on ``n_ntk`` points, loss after
    ``steps`` Adam steps at ``lr``; ``seeds`` networks per (method, sparsity)."""

    width: int
    sparsities: tuple[float, ...]
    n_train: int
    n_ntk: int
    seeds: int = 3
    steps: int = 200
    lr: float = 1e-3
    min_spearman: float = 0.5


SPEED_CONFIGS = {"small": SpeedConfig(width=256, sparsities=(0.5, 0.8, 0.9), n_train=512, n_ntk=128),
                 "paper": SpeedConfig(width=1024, sparsities=(0.5, 0.7, 0.8, 0.9, 0.95), n_train=1024, n_ntk=512)}
_SPEED_METHODS = ("random", "snip", "synflow")


def speed_point(method: str, sparsity: float, seed: int, width: int, steps: int, n_train: int, n_ntk: int,
                device: str, lr: float = 1e-3) -> dict:
    """NTK spectral metrics of a PaI-masked depth-4 MLP on digits and its training loss after ``steps`` Adam steps
    (a sweep point)."""
    import torch

    from .. import masks as pai
    from ..fixtures import digits, quiet_network
    from ..nn.empirical import empirical_ntk
    from ..specs import MLP
    from ..spectral import spectral_metrics

    x, labels = digits(n_train)
    y = torch.tensor(np.where(labels % 2 == 0, 1.0, -1.0))
    spec = MLP(depth=4, sigma_w=_SW, sigma_b=0.1)
    dense = spec.network(width, x.shape[1], seed=seed)
    density = 1.0 - sparsity
    masks = {"random": lambda: pai.random_masks(dense, density, seed=seed + 7),
             "snip": lambda: pai.snip_masks(dense, density, x[:256], y[:256]),
             "synflow": lambda: pai.synflow_masks(dense, density, iterations=20)}[method]()
    net = quiet_network(spec, width, x.shape[1], seed, masks=masks, device=device)
    xd, yd = x.to(device), y.to(device)
    metrics = spectral_metrics(empirical_ntk(net, xd[:n_ntk]))
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((net(xd).reshape(-1) - yd) ** 2).mean()
        loss.backward()
        opt.step()
    final = float(((net(xd).reshape(-1) - yd) ** 2).mean().detach())
    return {"top5_energy": metrics.top5_energy, "effective_rank": metrics.effective_rank,
            "spectral_gap": metrics.spectral_gap, "decay_alpha": metrics.decay_alpha, "loss": final}


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def _speed_measure(cfg: SpeedConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 301, cfg.seeds)
    points = [dict(method=m, sparsity=s, seed=sd, width=cfg.width, steps=cfg.steps, n_train=cfg.n_train,
                   n_ntk=cfg.n_ntk, device=str(ctx.device), lr=cfg.lr)
              for s in cfg.sparsities for m in _SPEED_METHODS for sd in seeds]
    done = ctx.sweep(speed_point, points, "graphon: spectrum vs training")
    rows = []
    for s in cfg.sparsities:
        for m in _SPEED_METHODS:
            rs = [r["result"] for r in done if r["sparsity"] == s and r["method"] == m]
            rows.append(dict(sparsity=s, method=m, **{k: float(np.mean([r[k] for r in rs])) for k in rs[0]},
                             loss_std=float(np.std([r["loss"] for r in rs]))))
    # per sparsity: more top-5 energy ⇒ faster early training ⇒ lower loss, so correlate energy with −loss
    rhos = []
    for s in cfg.sparsities:
        sel = [r for r in rows if r["sparsity"] == s]
        rhos.append(_spearman([r["top5_energy"] for r in sel], [-r["loss"] for r in sel]))
    return {"rows": rows, "spearman_by_sparsity": dict(zip(map(str, cfg.sparsities), rhos)),
            "mean_spearman": float(np.mean(rhos))}


def _speed_judge(cfg: SpeedConfig, d: dict) -> list[Check]:
    return [Check("top-5 energy orders the methods as early training speed does", d["mean_spearman"],
                  cfg.min_spearman, ">=",
                  f"mean over sparsities of Spearman(top-5 NTK energy, −loss after {cfg.steps} Adam steps) across "
                  "Random, SNIP, SynFlow")]


def _speed_summary(cfg: SpeedConfig, d: dict) -> str:
    return (f"Spearman(top-5 energy, −loss after {cfg.steps} Adam steps) per sparsity "
            + ", ".join(f"{s}: {r:+.2f}" for s, r in d["spearman_by_sparsity"].items())
            + f"; mean {d['mean_spearman']:+.2f} (claim: ≥ {cfg.min_spearman:g}); "
            + "; ".join(f"{r['method']}@{r['sparsity']}: E5 {r['top5_energy']:.3f}, loss {r['loss']:.3f}"
                        for r in d["rows"]))


def _speed_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    rows = result.data["rows"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for i, m in enumerate(_SPEED_METHODS):
        sel = [x for x in rows if x["method"] == m]
        axes[0].plot([x["sparsity"] for x in sel], [x["top5_energy"] for x in sel], "o-", color=f"C{i}", label=m)
        axes[1].errorbar([x["sparsity"] for x in sel], [x["loss"] for x in sel], [x["loss_std"] for x in sel],
                         fmt="o-", color=f"C{i}", label=m)
    axes[0].set_xlabel("sparsity")
    axes[0].set_ylabel("top-5 energy of the empirical NTK")
    axes[1].set_xlabel("sparsity")
    axes[1].set_ylabel("training loss after the Adam steps")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return [("graphon.spectrum_vs_speed.png", fig)]


register(Claim(
    id="graphon.spectrum_vs_speed",
    title="NTK spectrum vs early training speed across pruning methods (weak, empirical)",
    statement=lambda cfg: (
        f"At each sparsity ({_nums(cfg.sparsities)}), the ordering of the empirical NTK's top-5 energy across Random, "
        f"SNIP and SynFlow masks matches the ordering of early training speed (lower loss after {cfg.steps} Adam "
        f"steps, lr {cfg.lr:g}) for a depth-4 MLP of width {cfg.width} on {cfg.n_train} digits: mean Spearman ≥ "
        f"{cfg.min_spearman:g} across sparsities. Exploratory: reported as 'unsupported' with its numbers if it does "
        "not hold."),
    source=SOURCE + " (§5: spectrum and training dynamics)",
    docs=DOCS + "#spectrum-and-training-speed",
    verification="[R] threshold; the paper reports it at width 1024 on MNIST",
    assumptions=("depth-4 MLP on scikit-learn digits (even vs odd, ±1 targets, MSE), full batch",
                 "masks from the dense initialisation (global scope); NTK on the first n_ntk training points; seeds "
                 "averaged"),
    configs=SPEED_CONFIGS,
    measure=_speed_measure,
    judge=_speed_judge,
    summarize=_speed_summary,
    plot=_speed_plot,
    exploratory=("a weak empirical observation of the paper (width 1024, MNIST), not a theorem; on CPU-sized "
                 "networks, scikit-learn digits and a few hundred Adam steps the correlation need not appear, and "
                 "the claim is then reported unsupported with its numbers"),
))
