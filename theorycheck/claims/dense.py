"""Claims about dense fully-connected networks: finite-width convergence, PSD, precision (``docs/theory/dense.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import loglog_axes, slope_lines

if TYPE_CHECKING:  # annotations only; the modules are imported where they are used
    import torch

    from ..specs import MLP

__all__ = ["width_sweep", "width_point", "RATE_SPECS", "RateConfig"]

UNIT_ROUNDOFF = 2.0**-53
DOCS = "docs/theory/dense.md"

#: Architectures of the convergence-rate claims: the foundation issue's example, and erf.
RATE_SPECS = {
    "relu": dict(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1),
    "erf": dict(depth=3, activation="erf", sigma_w=1.4, sigma_b=0.1),
}


# ---------------------------------------------------------------------------------------------- width sweep
@dataclass(frozen=True)
class RateConfig:
    """A width sweep: ``seeds`` networks at each width, on ``n`` Gaussian inputs in R^d; the fitted slope must lie
    within ``level`` confidence of −1/2 and the interval must be narrower than ``max_halfwidth``."""

    widths: tuple[int, ...]
    seeds: int
    n: int
    d: int
    level: float = 0.99
    #: a wider 99% interval cannot tell −1/2 from −1/4 or −3/4: inconclusive, not passed
    max_halfwidth: float = 0.2


RATE_CONFIGS = {
    "small": RateConfig(widths=(64, 128, 256, 512, 1024, 2048, 4096), seeds=6, n=12, d=8),
    "paper": RateConfig(widths=(64, 128, 256, 512, 1024, 2048, 4096, 8192), seeds=16, n=32, d=16),
}


def width_point(name: str, width: int, seed: int, input_seed: int, n: int, d: int, device: str) -> dict:
    """One network of the width sweep: its NTK and NNGP relative errors to the limit (a sweep point)."""
    from ..fixtures import gaussian_inputs, network_kernel_errors
    from ..specs import MLP
    spec = MLP(**RATE_SPECS[name])
    x = gaussian_inputs(input_seed, n, d)
    limit = spec.kernel(x)
    return network_kernel_errors(spec, x, width, seed, device, {"ntk": limit.ntk, "nngp": limit.nngp},
                                 ("ntk", "nngp"))


def width_sweep(ctx: Context, name: str, config: RateConfig) -> dict:
    """Relative Frobenius errors of the empirical NTK and NNGP to the limit, per width and seed.

    Read through :meth:`Context.shared`, so the NTK and the NNGP claim of one architecture share one sweep per run.
    """
    from ..nn.monte_carlo import child_seeds
    from ..specs import MLP
    cfg = config
    seeds = child_seeds(ctx.seed + 1, cfg.seeds * len(cfg.widths))
    points = [dict(name=name, width=w, seed=seeds[i * cfg.seeds + j], input_seed=ctx.seed, n=cfg.n, d=cfg.d,
                   device=str(ctx.device)) for i, w in enumerate(cfg.widths) for j in range(cfg.seeds)]
    rows = ctx.sweep(width_point, points, f"width sweep ({name})")
    k = cfg.seeds
    err = {kind: [[rows[i * k + j]["result"][kind] for j in range(k)] for i in range(len(cfg.widths))]
           for kind in ("ntk", "nngp")}
    return {"spec": repr(MLP(**RATE_SPECS[name])), "widths": list(cfg.widths), "n_inputs": cfg.n, "d": cfg.d,
            "err_ntk": err["ntk"], "err_nngp": err["nngp"]}


def _rate_measure(name: str, which: str):
    def measure(cfg: RateConfig, ctx: Context) -> dict:
        from ..stats import loglog_fit
        sweep = ctx.shared(width_sweep, name=name, config=cfg)
        errs = np.asarray(sweep[f"err_{which}"])
        widths = np.repeat(np.asarray(sweep["widths"], dtype=float), errs.shape[1])
        fit = loglog_fit(widths, errs.ravel())
        return dict(sweep, kernel=which, slope=fit.slope, stderr=fit.stderr, halfwidth_99=fit.halfwidth(cfg.level),
                    intercept=fit.intercept, predicted_slope=-0.5, n_nets=fit.n)

    return measure


def _rate_judge(cfg: RateConfig, d: dict) -> list[Check]:
    return [
        Check("fitted slope within its 99% CI of −1/2", abs(d["slope"] + 0.5), d["halfwidth_99"], "<=",
              "|fitted log-log slope + 1/2| against the 99% CI half-width"),
        Check("CI narrow enough to be conclusive", d["halfwidth_99"], cfg.max_halfwidth, "<=",
              "99% CI half-width of the fitted slope"),
    ]


def _rate_summary(cfg: RateConfig, d: dict) -> str:
    errs = np.asarray(d[f"err_{d['kernel']}"])
    return (f"slope {d['slope']:+.3f} ± {d['halfwidth_99']:.3f} (99% CI, {d['n_nets']} nets); predicted −1/2; "
            f"error at m={d['widths'][-1]}: {np.mean(errs[-1]):.3g}")


def _rate_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    errs = np.asarray(d[f"err_{d['kernel']}"])
    widths = np.asarray(d["widths"], dtype=float)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for j in range(errs.shape[1]):
        ax.scatter(widths, errs[:, j], s=10, color="0.6", label="one network" if j == 0 else None)
    ax.plot(widths, errs.mean(axis=1), "o-", color="C0", label="mean over seeds")
    slope_lines(ax, np.repeat(widths, errs.shape[1]), errs.ravel(), d)
    loglog_axes(ax, "width m", f"relative Frobenius error of empirical {d['kernel'].upper()}")
    ax.set_title(d["spec"], fontsize=8)
    fig.tight_layout()
    return [(f"{result.claim_id}.png", fig)]


def _widths_text(cfg: RateConfig) -> str:
    return f"{cfg.widths[0]}…{cfg.widths[-1]}"


def _rate_statement(cfg: RateConfig, name: str, label: str) -> str:
    from ..specs import MLP  # rendered on demand (report, docs), never when the registry is imported

    return (f"For {MLP(**RATE_SPECS[name])!r} the relative Frobenius error of the width-m empirical {label} to the "
            f"infinite-width {label} decays like m^(-1/2): the least-squares slope of log error against log m over "
            f"widths {_widths_text(cfg)} ({cfg.seeds} seeds each, {cfg.n} inputs in R^{cfg.d}) equals −1/2 "
            f"within its {cfg.level:.0%} confidence interval, and that interval is narrower than "
            f"±{cfg.max_halfwidth}.")


for _name in RATE_SPECS:
    for _which, _label in (("ntk", "NTK"), ("nngp", "NNGP")):
        register(Claim(
            id=f"dense.{_which}_rate.{_name}",
            title=f"Empirical {_label} → limit at rate m^(-1/2) ({_name})",
            statement=(lambda cfg, _n=_name, _l=_label: _rate_statement(cfg, _n, _l)),
            source="Jacot, Gabriel, Hongler 2018 (Thm 1); Arora et al. 2019 (Thm 3.1); Lee et al. 2019",
            docs=DOCS + "#finite-width-convergence",
            verification="[R] rate (CLT scaling of a sum of m i.i.d. terms), [V-num] recursion for ReLU",
            assumptions=(
                "NTK parameterisation with standard normal weights and biases; all hidden widths equal to m",
                "Gaussian inputs (d features), inputs and depth fixed while m grows",
                "the error at init is dominated by O(m^-1/2) fluctuations; the O(1/m) bias is below the fit's "
                "resolution over m ≥ 64",
                "Arora et al.'s theorem only bounds the error (m ≳ ε^-4, i.e. ε ≲ m^-1/4 up to logs); the "
                "measured −1/2 is the sharper fluctuation rate [R]",
            ),
            configs=RATE_CONFIGS,
            measure=_rate_measure(_name, _which),
            judge=_rate_judge,
            summarize=_rate_summary,
            plot=_rate_plot,
            symbolic=lambda: r"\Theta^{(l+1)} = \Sigma^{(l+1)} + \Theta^{(l)}\dot\Sigma^{(l+1)}",
        ))


# ---------------------------------------------------------------------------------------------- PSD
@dataclass(frozen=True)
class PSDConfig:
    """``repeats`` random (depth, σ_w, σ_b) per activation, ``n`` inputs in R^d (n > d)."""

    activations: tuple[str, ...]
    repeats: int
    n: int
    d: int = 6


PSD_CONFIGS = {
    "small": PSDConfig(activations=("relu", "leaky_relu", "abs", "erf", "identity", "tanh", "gelu"), repeats=2, n=48),
    "paper": PSDConfig(activations=("relu", "leaky_relu", "abs", "erf", "identity", "tanh", "gelu"), repeats=2,
                       n=160),
}


def _psd_measure(cfg: PSDConfig, ctx: Context) -> dict:
    import torch

    from ..fixtures import gaussian_inputs
    from ..specs import MLP
    rng = np.random.default_rng(ctx.seed)
    rows = []
    for i, act in enumerate(cfg.activations):
        for rep in range(cfg.repeats):
            depth = int(rng.integers(1, 6))
            sw, sb = float(rng.uniform(0.5, 2.0)), float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
            spec = MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb, negative_slope=0.2)
            # n > d: the identity kernels are rank-deficient, so λ_min ≈ 0 tests the round-off bound
            x = gaussian_inputs(ctx.seed + 17 * i + rep, cfg.n, cfg.d).to(ctx.device)
            x[1] = x[0]  # a duplicated input
            x[2] = 0.0  # a zero-norm input
            k = spec.kernel(x)
            for kind in ("nngp", "ntk"):
                m = getattr(k, kind).cpu()
                ev = torch.linalg.eigvalsh(m)
                lam_max = float(ev[-1])
                # Weyl: |Δλ| ≤ ‖E‖₂ ≤ n·max|E_ij|, each entry with relative error ≤ 32(L+1)u (few ulps a layer)
                tol = cfg.n * 32 * (depth + 1) * UNIT_ROUNDOFF * float(m.abs().max()) / lam_max
                ratio = float(ev[0]) / lam_max
                rows.append(dict(activation=act, kernel=kind, depth=depth, sigma_w=sw, sigma_b=sb,
                                 asymmetry=float((m - m.T).abs().max()), lambda_min_over_max=ratio,
                                 roundoff_tol=tol, score=ratio / tol))
    return {"rows": rows, "n_inputs": cfg.n}


def _psd_judge(cfg: PSDConfig, d: dict) -> list[Check]:
    rows = d["rows"]
    return [
        Check("λ_min ≥ −tol·λ_max (PSD to round-off)", min(r["score"] for r in rows), -1.0, ">=",
              "min over kernels of (λ_min/λ_max)/tol, tol the Weyl round-off bound"),
        Check("exactly symmetric", max(r["asymmetry"] for r in rows), 0.0, "<=", "max |K − Kᵀ| over kernels"),
    ]


def _psd_summary(cfg: PSDConfig, d: dict) -> str:
    rows = d["rows"]
    return (f"min over {len(rows)} kernels of (λ_min/λ_max)/tol = {min(r['score'] for r in rows):.3g} (≥ −1 means "
            f"PSD to round-off); max asymmetry {max(r['asymmetry'] for r in rows):.1g}")


def _psd_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    rows = result.data["rows"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = [f"{r['activation']}/{r['kernel']}/L{r['depth']}" for r in rows]
    vals = [max(r["lambda_min_over_max"], 1e-18) for r in rows]
    ax.bar(range(len(rows)), vals, color=["C0" if r["kernel"] == "nngp" else "C1" for r in rows])
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)), labels, rotation=90, fontsize=5)
    ax.set_ylabel("λ_min / λ_max (clipped at 1e-18)")
    ax.set_title("Analytic kernels: smallest relative eigenvalue", fontsize=9)
    fig.tight_layout()
    return [("dense.kernel_psd.png", fig)]


register(Claim(
    id="dense.kernel_psd",
    title="Analytic NNGP and NTK are symmetric positive semi-definite",
    statement=lambda cfg: (
        f"For every activation ({', '.join(cfg.activations)}) and {cfg.repeats} random depth/σ_w/σ_b each, "
        "spec.kernel(x) is exactly symmetric and its smallest eigenvalue is ≥ −tol·λ_max, tol the Weyl bound "
        f"n·32(L+1)·u·max|K|/λ_max on round-off (n = {cfg.n} inputs in R^{cfg.d}, including a duplicated row and a "
        "zero row)."),
    source="Jacot, Gabriel, Hongler 2018 (NTK is a Gram matrix of gradients; NNGP a covariance)",
    docs=DOCS + "#the-recursion",
    verification="[V-num]",
    assumptions=("kernels are computed in float64; quadrature activations (tanh, gelu) at the default accuracy",),
    configs=PSD_CONFIGS,
    measure=_psd_measure,
    judge=_psd_judge,
    summarize=_psd_summary,
    plot=_psd_plot,
))


# ---------------------------------------------------------------------------------------------- precision
@dataclass(frozen=True)
class PrecisionConfig:
    """``cases`` random architectures cycling through ``activations``, compared at ``dps`` digits."""

    activations: tuple[str, ...]
    cases: int
    dps: int = 50


PRECISION_CONFIGS = {
    "small": PrecisionConfig(activations=("relu", "leaky_relu", "abs", "erf", "identity"), cases=10),
    "paper": PrecisionConfig(activations=("relu", "leaky_relu", "abs", "erf", "identity"), cases=40),
}


def _conditioning(spec: MLP, x: torch.Tensor) -> float:
    """max over layers and off-diagonal pairs of 1/sin θ = 1/√(1−ρ²), the condition number of arccos."""
    import torch

    from ..specs import MLP
    worst = 1.0
    for depth in range(spec.depth):
        sub = MLP(depth=depth, activation=spec.activation, sigma_w=spec.sigma_w, sigma_b=spec.sigma_b)
        s = sub.kernel(x).nngp
        dg = torch.sqrt(s.diagonal())
        rho = (s / dg[:, None] / dg[None, :]).clamp(-1, 1)
        off = ~torch.eye(len(x), dtype=torch.bool)
        worst = max(worst, float((1.0 / torch.sqrt((1 - rho[off] ** 2).clamp_min(1e-300))).max()))
    return worst


def _mp_measure(cfg: PrecisionConfig, ctx: Context) -> dict:
    import torch

    from ..fixtures import gaussian_inputs
    from ..specs import MLP
    rng = np.random.default_rng(ctx.seed + 5)
    rows = []
    for case in range(cfg.cases):
        act = cfg.activations[case % len(cfg.activations)]
        depth = int(rng.integers(1, 7))
        sw, sb = float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.0, 1.0))
        spec = MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb, negative_slope=-0.3)
        x = gaussian_inputs(ctx.seed + 101 + case, 5, 4)
        x2 = gaussian_inputs(ctx.seed + 301 + case, 3, 4)
        kappa = _conditioning(spec, torch.cat([x, x2]))
        bound = 32 * (depth + 1) * UNIT_ROUNDOFF * kappa
        for other in (None, x2):
            k64 = spec.kernel(x, other)
            kmp = spec.kernel_mp(x, other, dps=cfg.dps).to_torch()
            for kind in ("nngp", "ntk"):
                a, b = getattr(k64, kind), getattr(kmp, kind)
                rel = float(((a - b).abs() / b.abs().clamp_min(1e-300)).max())
                rows.append(dict(activation=act, depth=depth, sigma_w=sw, sigma_b=sb, kernel=kind,
                                 symmetric=other is None, max_rel_err=rel, bound=bound, kappa=kappa))
    return {"rows": rows}


def _mp_judge(cfg: PrecisionConfig, d: dict) -> list[Check]:
    rows = d["rows"]
    return [Check(f"float64 within the round-off bound of {cfg.dps} digits",
                  max(r["max_rel_err"] / r["bound"] for r in rows), 1.0, "<=",
                  "max over kernels of (max relative error) / (32(L+1)·u·κ)")]


def _mp_summary(cfg: PrecisionConfig, d: dict) -> str:
    rows = d["rows"]
    return (f"max over {len(rows)} kernels of rel. error / bound = "
            f"{max(r['max_rel_err'] / r['bound'] for r in rows):.3g}; worst rel. error "
            f"{max(r['max_rel_err'] for r in rows):.2g} (bound 32(L+1)·u·κ, κ = max 1/sin θ)")


def _mp_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    rows = result.data["rows"]
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.scatter([r["bound"] for r in rows], [max(r["max_rel_err"], 1e-18) for r in rows], s=12)
    lo, hi = min(r["bound"] for r in rows) / 3, max(r["bound"] for r in rows) * 3
    ax.plot([lo, hi], [lo, hi], "--", color="C3", label="bound")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("round-off bound 32(L+1)·u·κ")
    ax.set_ylabel("max relative error float64 vs 50 digits")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [("dense.float64_vs_mp50.png", fig)]


def _arccos_latex() -> str:
    from ..kernels import symbolic  # sympy: imported when the report draws the formula, not when claims register

    return symbolic.latex("relu")


register(Claim(
    id="dense.float64_vs_mp50",
    title="float64 kernels agree with 50-digit mpmath to round-off",
    statement=lambda cfg: (
        f"For {', '.join(cfg.activations)} at {cfg.cases} random depths (1–6), σ_w, σ_b and inputs, every entry of "
        f"the float64 NNGP and NTK is within 32(L+1)·u·κ relative of the {cfg.dps}-digit value, u = 2^-53 and "
        "κ = max 1/sin θ the condition number of arccos over layers and pairs."),
    source="Cho & Saul 2009 (arc-cosine kernels); Williams 1997 (erf kernel)",
    docs=DOCS + "#closed-forms",
    verification="[V-num]",
    assumptions=("inputs are float64 and converted exactly to mpmath", "a few ulps of rounding per layer"),
    configs=PRECISION_CONFIGS,
    measure=_mp_measure,
    judge=_mp_judge,
    summarize=_mp_summary,
    plot=_mp_plot,
    symbolic=lambda: _arccos_latex(),
))
