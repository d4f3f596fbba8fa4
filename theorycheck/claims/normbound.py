"""Claims about norm-based bounds for sparse networks (Galanti, Xu, Galanti, Poggio, NeurIPS 2023;
``docs/theory/norm_bounds.md``). The bound formulas are the authors' code (``utils.py``) [V-src code]; the paper's
theorem text was not available. MNIST is replaced by scikit-learn's 8×8 digits at both scales (nothing downloaded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import values_vs_bounds

__all__ = ["ToeplitzConfig", "TrainConfig", "ScalingConfig", "train_point"]

SOURCE = ("Galanti, Xu, Galanti, Poggio, 'Norm-based Generalization Bounds for Sparse Neural Networks' (NeurIPS "
          "2023; arXiv 2301.12033), main theorem as implemented in the authors' code (lianegalanti/gen, utils.py)")
DOCS = "docs/theory/norm_bounds.md"
CODE_ASSUMPTIONS = (
    "bound terms exactly as the authors' code: ρ = Π‖W_l‖_F over every layer (conv filters and the last linear "
    "layer), L' = conv layers + 1, D = max deg², deg = kernel side, S_max = max_pixel Σ_i x_i[pixel]², δ = 0.001 "
    "[V-src code]",
)


# ------------------------------------------------------------------------------------------ 1. Toeplitz identity
@dataclass(frozen=True)
class ToeplitzConfig:
    """Random filters [C_out, C_in, k, k] on H×W inputs, one case per entry of ``cases``."""

    cases: tuple[tuple[int, int, int, int, int], ...]
    tol: float = 1e-10


TOEPLITZ_CONFIGS = {
    "small": ToeplitzConfig(cases=((1, 1, 2, 8, 8), (3, 4, 2, 8, 8), (2, 5, 3, 7, 9), (4, 2, 4, 6, 6), (3, 3, 1, 5, 5),
                                   (2, 2, 5, 5, 8))),
    "paper": ToeplitzConfig(cases=((1, 32, 2, 28, 28), (32, 32, 2, 27, 27), (32, 32, 3, 26, 26), (3, 16, 5, 32, 32))),
}


def _toeplitz_measure(cfg: ToeplitzConfig, ctx: Context) -> dict:
    import torch

    from ..bounds import conv_toeplitz
    g = torch.Generator().manual_seed(ctx.seed)
    rows = []
    for c_in, c_out, k, h, w in cfg.cases:
        weight = torch.randn(c_out, c_in, k, k, generator=g, dtype=torch.float64)
        x = torch.randn(1, c_in, h, w, generator=g, dtype=torch.float64)
        t = conv_toeplitz(weight, h, w)
        identity = (h - k + 1) * (w - k + 1) * float(weight.norm() ** 2)
        conv = torch.nn.functional.conv2d(x, weight).reshape(-1)
        rows.append({"case": [c_in, c_out, k, h, w], "rel_identity": abs(float(t.norm() ** 2) / identity - 1),
                     "rel_conv": float((t @ x.reshape(-1) - conv).norm() / conv.norm())})
    return {"rows": rows}


def _toeplitz_judge(cfg: ToeplitzConfig, d: dict) -> list[Check]:
    return [
        Check("‖T‖_F² = (H−k+1)(W−k+1)‖w‖_F² to 1e-10", max(r["rel_identity"] for r in d["rows"]), cfg.tol, "<=",
              "max over cases of |‖T‖_F² / ((H−k+1)(W−k+1)‖w‖_F²) − 1|"),
        Check("T vec(x) equals conv2d(x, w) to 1e-10", max(r["rel_conv"] for r in d["rows"]), cfg.tol, "<=",
              "max over cases of ‖T vec(x) − conv2d(x, w)‖ / ‖conv2d(x, w)‖"),
    ]


register(Claim(
    id="normbound.toeplitz_identity",
    title="The Toeplitz matrix of a k×k convolution has ‖T‖_F² = (H−k+1)(W−k+1)‖w‖_F²",
    statement=lambda cfg: (
        f"For random filters and inputs (cases (C_in, C_out, k, H, W) = {', '.join(map(str, cfg.cases))}), the "
        f"explicitly unrolled stride-1 'valid' convolution matrix T reproduces conv2d and satisfies ‖T‖_F² = "
        f"(H−k+1)(W−k+1)‖w‖_F², both to {cfg.tol:g} relative."),
    source=SOURCE + " (why the Toeplitz norms of the Golowich bound carry the factor √(H_out W_out))",
    docs=DOCS + "#toeplitz",
    verification="[V-num]",
    assumptions=("stride 1, no padding, square kernels",),
    configs=TOEPLITZ_CONFIGS,
    measure=_toeplitz_measure,
    judge=_toeplitz_judge,
    summarize=lambda cfg, d: (f"max |‖T‖²/identity − 1| = {max(r['rel_identity'] for r in d['rows']):.2g}, "
                              f"max conv mismatch = {max(r['rel_conv'] for r in d['rows']):.2g} (≤ {cfg.tol:g})"),
    plot=lambda result, others: values_vs_bounds(
        "normbound.toeplitz_identity.png", [str(tuple(r["case"])) for r in result.data["rows"]],
        [max(r["rel_identity"], 1e-18) for r in result.data["rows"]], upper=[1e-10] * len(result.data["rows"]),
        ylabel="relative deviation (clipped at 1e-18)", title="Toeplitz identity per (C_in, C_out, k, H, W)",
        log=True),
    symbolic=lambda: r"\|T\|_F^2 = (H-k+1)(W-k+1)\,\|w\|_F^2",
))


# ------------------------------------------------------------------------------------------ 2. tightness along training
@dataclass(frozen=True)
class TrainConfig:
    """CONV-``depth``-``width`` nets trained on ``n_train`` digits by SGD (MSE), ``seeds`` nets, bounds logged every
    ``record_every`` epochs."""

    depth: int
    width: int
    n_train: int
    epochs: int
    seeds: int
    record_every: int
    lr: float = 0.01
    batch_size: int = 32
    momentum: float = 0.9
    weight_decay: float = 3e-3
    max_ratio: float = 0.1


TRAIN_CONFIGS = {
    "small": TrainConfig(depth=3, width=32, n_train=1000, epochs=10, seeds=2, record_every=2),
    "paper": TrainConfig(depth=3, width=32, n_train=1000, epochs=500, seeds=5, record_every=10, weight_decay=8e-4),
}


def train_point(depth: int, width: int, n_train: int, epochs: int, seed: int, record_every: int, lr: float,
                batch_size: int, momentum: float, weight_decay: float, device: str) -> dict:
    """Train one CONV-L-H net on the digits and return its record (errors, gap, both bounds per logged epoch)."""
    from ..bounds import ConvNetWN, digits_images, train_convnet
    x, y, xt, yt = digits_images(seed, n_train)
    net = ConvNetWN(depth, width, seed=seed, device=device)
    rec = train_convnet(net, x, y, xt, yt, epochs=epochs, lr=lr, batch_size=batch_size, momentum=momentum,
                        weight_decay=weight_decay, seed=seed + 1, record_every=record_every)
    return rec.to_json()


def _train_measure(cfg: TrainConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 5, cfg.seeds)
    points = [dict(depth=cfg.depth, width=cfg.width, n_train=cfg.n_train, epochs=cfg.epochs, seed=s,
                   record_every=cfg.record_every, lr=cfg.lr, batch_size=cfg.batch_size, momentum=cfg.momentum,
                   weight_decay=cfg.weight_decay, device=str(ctx.device)) for s in seeds]
    runs = [r["result"] for r in ctx.sweep(train_point, points, "normbound: CONV nets on digits")]
    ratios = [[o["bound"] / g["bound"] for o, g in zip(run["ours"], run["golowich"])] for run in runs]
    return {"runs": runs, "ratios": ratios, "max_ratio": max(max(r) for r in ratios),
            "final_ours": [run["ours"][-1]["bound"] for run in runs],
            "final_golowich": [run["golowich"][-1]["bound"] for run in runs],
            "final_gap": [run["gap"][-1] for run in runs], "final_test_error": [run["test_error"][-1] for run in runs]}


def _train_judge(cfg: TrainConfig, d: dict) -> list[Check]:
    return [
        Check("sparse bound below Golowich's at every logged epoch", d["max_ratio"], 1.0, "<=",
              "max over nets and epochs of our_total_bound / golowich_total_bound"),
        Check(f"sparse bound at least {1 / cfg.max_ratio:g}× tighter", d["max_ratio"], cfg.max_ratio, "<=",
              "max over nets and epochs of our_total_bound / golowich_total_bound"),
        Check("the sparse bound is a valid (if vacuous) upper bound on the measured gap",
              min(o - g for o, g in zip(d["final_ours"], d["final_gap"])), 0.0, ">=",
              "min over nets of (final bound − final measured gap test error − train error)"),
    ]


def _train_summary(cfg: TrainConfig, d: dict) -> str:
    return (f"CONV-{cfg.depth}-{cfg.width}, {cfg.epochs} epochs: final sparse bound "
            f"{np.mean(d['final_ours']):.4g} vs Golowich {np.mean(d['final_golowich']):.4g}; max ratio "
            f"{d['max_ratio']:.4f} (≤ {cfg.max_ratio:g}); measured gap {np.mean(d['final_gap']):.4f}, test error "
            f"{np.mean(d['final_test_error']):.4f}")


def _train_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, run in enumerate(d["runs"]):
        ep = run["epochs"]
        lab = i == 0
        ax.plot(ep, [o["bound"] for o in run["ours"]], "-", color="C0", label="sparse bound (ours)" if lab else None)
        ax.plot(ep, [g["bound"] for g in run["golowich"]], "-", color="C1", label="Golowich et al." if lab else None)
        ax.plot(ep, np.maximum(run["gap"], 1e-4), "--", color="C2",
                label="measured gap (test − train error)" if lab else None)
        ax.plot(ep, np.maximum(run["test_error"], 1e-4), ":", color="C3", label="test error" if lab else None)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("bound / error (log scale; gap clipped at 1e-4)")
    cfg = result.config
    ax.set_title(f"CONV-{cfg['depth']}-{cfg['width']} on {cfg['n_train']} digits", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


register(Claim(
    id="normbound.tighter_than_golowich",
    title="The sparse norm bound is much tighter than Golowich et al.'s on trained CONV-3-32 nets",
    statement=lambda cfg: (
        f"For CONV-{cfg.depth}-{cfg.width} nets (kernel 2, stride 1, weight normalisation) trained by SGD (MSE, "
        f"lr {cfg.lr:g}, momentum {cfg.momentum:g}, weight decay {cfg.weight_decay:g}) on {cfg.n_train} digits for "
        f"{cfg.epochs} epochs ({cfg.seeds} seeds), our_total_bound / golowich_total_bound ≤ {cfg.max_ratio:g} at "
        "every logged epoch, and the sparse bound stays above the measured generalisation gap."),
    source=SOURCE,
    docs=DOCS + "#tightness",
    verification="[V-src code] formulas; [R] threshold 0.1",
    assumptions=CODE_ASSUMPTIONS + ("scikit-learn digits (8×8, pixel/16) instead of MNIST; CPU budget: few epochs",),
    configs=TRAIN_CONFIGS,
    measure=_train_measure,
    judge=_train_judge,
    summarize=_train_summary,
    plot=_train_plot,
))


# ------------------------------------------------------------------------------------------ 3–4. exact scalings
@dataclass(frozen=True)
class ScalingConfig:
    """Replication factors for the √n check; kernel sizes (and the layer norms held fixed) for the degree check."""

    depth: int
    width: int
    n_train: int
    replications: tuple[int, ...]
    kernel_sizes: tuple[int, ...]
    tol: float = 1e-12


SCALING_CONFIGS = {
    "small": ScalingConfig(depth=3, width=32, n_train=300, replications=(1, 2, 3, 5, 8), kernel_sizes=(2, 3)),
    "paper": ScalingConfig(depth=3, width=32, n_train=1000, replications=(1, 2, 4, 8, 16, 32),
                           kernel_sizes=(1, 2, 3)),
}


def _sqrt_n_measure(cfg: ScalingConfig, ctx: Context) -> dict:
    from ..bounds import ConvNetWN, digits_images, golowich_total_bound, our_total_bound
    x, *_ = digits_images(ctx.seed, cfg.n_train)
    net = ConvNetWN(cfg.depth, cfg.width, seed=ctx.seed)
    rows = []
    for c in cfg.replications:
        terms = our_total_bound(net, x.repeat(c, 1, 1, 1))
        gol = golowich_total_bound(net, x.repeat(c, 1, 1, 1))
        rows.append({"replication": c, "n": terms.n, "leading": terms.leading,
                     "leading_sqrt_n": terms.leading * math.sqrt(terms.n),
                     "golowich_leading_sqrt_n": gol.leading * math.sqrt(gol.n), "bound": terms.bound})
    base = rows[0]["leading_sqrt_n"]
    gbase = rows[0]["golowich_leading_sqrt_n"]
    return {"rows": rows, "max_rel": max(abs(r["leading_sqrt_n"] / base - 1) for r in rows),
            "max_rel_golowich": max(abs(r["golowich_leading_sqrt_n"] / gbase - 1) for r in rows)}


def _sqrt_n_judge(cfg: ScalingConfig, d: dict) -> list[Check]:
    return [
        Check("leading term × √n constant under replication (sparse bound)", d["max_rel"], cfg.tol, "<=",
              "max over replication factors of |leading·√n / (leading·√n at c = 1) − 1|"),
        Check("leading term × √n constant under replication (Golowich)", d["max_rel_golowich"], cfg.tol, "<=",
              "same for golowich_total_bound"),
    ]


register(Claim(
    id="normbound.sqrt_n_scaling",
    title="With the weights fixed the bounds' leading term decays exactly like 1/√n under dataset replication",
    statement=lambda cfg: (
        f"For a fixed CONV-{cfg.depth}-{cfg.width} network and {cfg.n_train} digits replicated c ∈ "
        f"{cfg.replications} times, (ρ+1)/n·√S_max grows like 1/√n (S_max scales as n), so the leading term × √n is "
        f"constant to {cfg.tol:g} for both bounds."),
    source=SOURCE,
    docs=DOCS + "#sample-size-scaling",
    verification="[V-src code]",
    assumptions=CODE_ASSUMPTIONS,
    configs=SCALING_CONFIGS,
    measure=_sqrt_n_measure,
    judge=_sqrt_n_judge,
    summarize=lambda cfg, d: (f"max relative change of leading·√n over c = {cfg.replications}: "
                              f"{d['max_rel']:.2g} (sparse), {d['max_rel_golowich']:.2g} (Golowich); ≤ {cfg.tol:g}"),
    plot=lambda result, others: values_vs_bounds(
        "normbound.sqrt_n_scaling.png", [f"c={r['replication']}" for r in result.data["rows"]],
        [r["leading_sqrt_n"] / result.data["rows"][0]["leading_sqrt_n"] for r in result.data["rows"]],
        ylabel="leading·√n relative to c = 1", title="Sparse bound: leading term × √n under replication"),
))


def _degree_ratio(k: int, k0: int, conv_depth: int, classes: int) -> float:
    """Closed form of leading(k)/leading(k0) at fixed layer norms: (k/k0)^L · mult2(k)/mult2(k0)."""
    def mult2(kk: int) -> float:
        return 1 + math.sqrt(2 * ((conv_depth + 1) * math.log(2 * kk**2) + math.log(classes)))
    return (k / k0) ** conv_depth * mult2(k) / mult2(k0)


def _degree_measure(cfg: ScalingConfig, ctx: Context) -> dict:
    import torch

    from ..bounds import ConvNetWN, digits_images, our_total_bound
    x, *_ = digits_images(ctx.seed, cfg.n_train)
    ref_net = ConvNetWN(cfg.depth, cfg.width, kernel_size=cfg.kernel_sizes[0], seed=ctx.seed)
    with torch.no_grad():
        norms = [float(w.norm()) for w in ref_net.layer_weights()]
    rows = []
    for k in cfg.kernel_sizes:
        net = ConvNetWN(cfg.depth, cfg.width, kernel_size=k, seed=ctx.seed)
        with torch.no_grad():  # rescale every layer to the reference norms, so ρ is fixed
            for conv, target in zip(net.convs, norms):
                conv.g.fill_(target)
            net.fc.weight.mul_(norms[-1] / float(net.fc.weight.norm()))
        t = our_total_bound(net, x)
        rows.append({"k": k, "rho": t.rho, "leading": t.leading})
    base = rows[0]
    for r in rows:
        r["measured_ratio"] = r["leading"] / base["leading"]
        r["predicted_ratio"] = _degree_ratio(r["k"], base["k"], cfg.depth, 10)
        r["rel_dev"] = abs(r["measured_ratio"] / r["predicted_ratio"] - 1)
    return {"rows": rows, "max_rel": max(r["rel_dev"] for r in rows),
            "rho_spread": max(abs(r["rho"] / base["rho"] - 1) for r in rows)}


def _degree_judge(cfg: ScalingConfig, d: dict) -> list[Check]:
    return [
        Check("first term scales by the exact Π deg and log-term ratio", d["max_rel"], cfg.tol, "<=",
              "max over k of |measured leading(k)/leading(k0) ÷ (k/k0)^L·mult2(k)/mult2(k0) − 1|"),
        Check("ρ held fixed across kernel sizes", d["rho_spread"], cfg.tol, "<=",
              "max over k of |ρ(k)/ρ(k0) − 1|"),
    ]


register(Claim(
    id="normbound.degree_effect",
    title="The kernel size enters the sparse bound only through Π deg_l and the log term",
    statement=lambda cfg: (
        f"For CONV-{cfg.depth}-{cfg.width} nets with kernel sizes k ∈ {cfg.kernel_sizes}, each layer rescaled to the "
        f"same Frobenius norms, the first term of our_total_bound changes by exactly (k/k₀)^L · (1 + √(2(L' log(2k²) "
        f"+ log 10))) / (1 + √(2(L' log(2k₀²) + log 10))), to {cfg.tol:g}."),
    source=SOURCE,
    docs=DOCS + "#degree-effect",
    verification="[V-src code]",
    assumptions=CODE_ASSUMPTIONS,
    configs=SCALING_CONFIGS,
    measure=_degree_measure,
    judge=_degree_judge,
    summarize=lambda cfg, d: (", ".join(f"k={r['k']}: ratio {r['measured_ratio']:.6g} (predicted "
                                        f"{r['predicted_ratio']:.6g})" for r in d["rows"])
                              + f"; max deviation {d['max_rel']:.2g} (≤ {cfg.tol:g})"),
    plot=lambda result, others: values_vs_bounds(
        "normbound.degree_effect.png", [f"k={r['k']}" for r in result.data["rows"]],
        [r["measured_ratio"] / r["predicted_ratio"] for r in result.data["rows"]],
        ylabel="measured / predicted ratio of the leading term", title="Degree effect of the kernel size"),
))
