"""Claims about the bias-generalized NTK and sparse activation (Yang, Jiang, Zhang, Wang, Liang 2023;
``docs/theory/bias.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register
from .plotting import loglog_axes, slope_lines, values_vs_bounds

if TYPE_CHECKING:  # annotations only; the modules are imported where they are used
    import torch

__all__ = [
    "gershgorin_bound", "convergence_point", "ClosedFormConfig", "ConvergenceConfig", "SparseTrainingConfig",
    "LambdaMinConfig", "GeneralizationConfig",
]

SOURCE = "Yang, Jiang, Zhang, Wang, Liang 2023 (arXiv 2301.00327, JMLR 25(321))"
DOCS = "docs/theory/bias.md"


def gershgorin_bound(h: torch.Tensor) -> float:
    """Gershgorin's lower bound on the smallest eigenvalue of a symmetric matrix, min_i (H_ii − Σ_{j≠i} |H_ij|)
    (the data-dependent bound of ``docs/theory/bias.md``)."""
    off = h.abs().sum(dim=1) - h.diagonal().abs()
    return float((h.diagonal() - off).min())


def _nums(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


# ------------------------------------------------------------------------------------------ 1. closed form
@dataclass(frozen=True)
class ClosedFormConfig:
    """Cross-check grid (``cross_bs`` × ``cross_rhos``) and 50-digit grid (``grid_b`` × ``grid_rho``)."""

    grid_b: tuple[float, ...]
    grid_rho: tuple[float, ...]
    cross_bs: tuple[float, ...] = (0.0, 1.0, 2.0)
    cross_rhos: tuple[float, ...] = (-0.5, 0.0, 0.3, 0.9)
    dps: int = 50
    cross_tol: float = 1e-8
    mp_tol: float = 1e-10
    b0_tol: float = 1e-12


CLOSED_FORM_CONFIGS = {
    "small": ClosedFormConfig(grid_b=(0.0, 1.0, 3.0, 8.0, 30.0), grid_rho=(-0.999, -0.5, 0.0, 0.5, 0.99, 1 - 1e-9)),
    "paper": ClosedFormConfig(grid_b=(0.0, 0.5, 1, 2, 3, 5, 8, 12, 20, 30),
                              grid_rho=(-1, -0.999, -0.9, -0.5, -0.1, 0.0, 0.1, 0.3, 0.5, 0.9, 0.99, 0.9999,
                                        1 - 1e-9, 1)),
}
_REFERENCES = (("quad", "1-D quadrature"), ("mvn", "scipy's bivariate normal CDF"), ("owens_t", "Owen's T form"))


def _quad_orthant(B: float, rho: float) -> float:
    from scipy import integrate, special
    s = math.sqrt((1 - rho) * (1 + rho))
    f = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * special.ndtr((rho * z - B) / s)  # noqa: E731
    return integrate.quad(f, B, np.inf, epsabs=0, epsrel=1e-13, limit=200)[0]


def _closed_form_measure(cfg: ClosedFormConfig, ctx: Context) -> dict:
    import mpmath
    from scipy.stats import multivariate_normal

    from ..kernels.orthant import (
        orthant_owens_t,
        orthant_probability,
        orthant_probability_mp,
        shifted_relu_moment,
        shifted_relu_moment_mp,
    )
    rows = []
    for B in cfg.cross_bs:
        for rho in cfg.cross_rhos:
            ours = float(orthant_probability(B, rho))
            quad = _quad_orthant(B, rho)
            mvn = float(multivariate_normal.cdf([-B, -B], mean=[0, 0], cov=[[1, rho], [rho, 1]], abseps=1e-13,
                                                releps=1e-13))
            owen = float(orthant_owens_t(B, rho))
            rows.append(dict(kind="cross-check", B=B, rho=rho, craig=ours, quad=quad, mvn=mvn, owens_t=owen,
                             max_rel_diff=max(abs(ours - v) / ours for v in (quad, mvn, owen))))
    rhos = np.linspace(-1, 1, 41)
    theta = np.arccos(rhos)
    b0_p = float(np.max(np.abs(orthant_probability(0.0, rhos) - (np.pi - theta) / (2 * np.pi))))
    b0_n = float(np.max(np.abs(shifted_relu_moment(0.0, rhos)
                               - (np.sqrt(1 - rhos**2) + (np.pi - theta) * rhos) / (2 * np.pi))))
    total, done = 2 * len(cfg.grid_b) * len(cfg.grid_rho), 0
    for B in cfg.grid_b:
        for rho in cfg.grid_rho:
            for name, fn, ref in (("P", orthant_probability, orthant_probability_mp),
                                  ("N", shifted_relu_moment, shifted_relu_moment_mp)):
                lr = ref(B, rho, cfg.dps, log=True)
                lv = float(fn(B, rho, log=True))
                err = 0.0 if (lr == -mpmath.inf and lv == -np.inf) else abs(lv - float(lr))
                rows.append(dict(kind="mp50", fn=name, B=B, rho=rho, log_value=lv, rel_err=err))
                done += 1
                ctx.tick("bias: 50-digit references", done, total)
    return {"rows": rows, "b0_err_P": b0_p, "b0_err_N": b0_n}


def _cross_diff(d: dict, key: str) -> float:
    return max(abs(r["craig"] - r[key]) / r["craig"] for r in d["rows"] if r["kind"] == "cross-check")


def _mp_err(d: dict, fn: str) -> float:
    return max(r["rel_err"] for r in d["rows"] if r["kind"] == "mp50" and r["fn"] == fn)


def _closed_form_judge(cfg: ClosedFormConfig, d: dict) -> list[Check]:
    out = [Check(f"P (Craig form) = {label}", _cross_diff(d, key), cfg.cross_tol, "<=",
                 "max over the cross-check grid of |P − P_ref|/P") for key, label in _REFERENCES]
    for fn, label in (("P", "orthant probability P"), ("N", "shifted-ReLU moment N")):
        out.append(Check(f"{label} = {cfg.dps}-digit mpmath", _mp_err(d, fn), cfg.mp_tol, "<=",
                         "max over the (B, ρ) grid of |log value − log reference| (relative error)"))
    out.append(Check("P at B = 0 = arc-cosine kernel (π − θ)/2π", d["b0_err_P"], cfg.b0_tol, "<=",
                     "max over 41 ρ ∈ [−1, 1] of the absolute difference"))
    out.append(Check("N at B = 0 = arc-cosine kernel (sin θ + (π − θ)ρ)/2π", d["b0_err_N"], cfg.b0_tol, "<=",
                     "max over 41 ρ ∈ [−1, 1] of the absolute difference"))
    return out


def _closed_form_summary(cfg: ClosedFormConfig, d: dict) -> str:
    cross = max(_cross_diff(d, key) for key, _ in _REFERENCES)
    mp = max(_mp_err(d, "P"), _mp_err(d, "N"))
    return (f"Craig form vs 1-D quadrature / scipy MVN / Owen's T: max rel. diff {cross:.1e} (≤ {cfg.cross_tol:g}); "
            f"vs {cfg.dps}-digit mpmath over B ∈ [{min(cfg.grid_b):g}, {max(cfg.grid_b):g}], ρ ∈ "
            f"[{min(cfg.grid_rho):g}, {max(cfg.grid_rho):g}]: max rel. err {mp:.1e} (≤ {cfg.mp_tol:g}); "
            f"B = 0 vs arc-cosine: {max(d['b0_err_P'], d['b0_err_N']):.1e} (≤ {cfg.b0_tol:g})")


def _closed_form_plot(result: ClaimResult, others: dict) -> list:
    rows = [x for x in result.data["rows"] if x["kind"] == "mp50"]
    tol = result.config["mp_tol"]
    return values_vs_bounds("bias.closed_form.png", [f"{x['fn']} B={x['B']:g} ρ={x['rho']:.4g}" for x in rows],
                            [max(x["rel_err"], 1e-17) for x in rows], upper=[tol] * len(rows), log=True,
                            ylabel="relative error vs 50 digits (clipped at 1e-17)",
                            title="orthant probability P and shifted-ReLU moment N")


def _h_b_latex() -> str:
    import sympy as sp

    rho, B, psi = sp.symbols(r"\rho B \psi")
    p = sp.Integral(sp.exp(-B**2 / (2 * sp.sin(psi) ** 2)), (psi, 0, (sp.pi - sp.acos(rho)) / 2)) / sp.pi
    return r"H_B = (\rho + 1)\,P,\quad P = " + sp.latex(p)


register(Claim(
    id="bias.closed_form",
    title="Orthant probability and shifted-ReLU moment: closed form = quadrature = scipy MVN, accurate to large B",
    statement=lambda cfg: (
        "P(Z1 ≥ B, Z2 ≥ B) from theorycheck's positive-integrand (Craig-type) form agrees with 1-D quadrature, "
        f"scipy's multivariate normal CDF and the Owen's-T closed form to {cfg.cross_tol:g} relative (B ∈ "
        f"{{{_nums(cfg.cross_bs)}}}, ρ ∈ {{{_nums(cfg.cross_rhos)}}}); P and E[relu(Z1−B) relu(Z2−B)] agree with "
        f"{cfg.dps}-digit mpmath references to {cfg.mp_tol:g} relative over B ∈ {{{_nums(cfg.grid_b)}}}, "
        f"ρ ∈ {{{', '.join(f'{r:.10g}' for r in cfg.grid_rho)}}} (in log space where they underflow); at B = 0 they "
        f"equal the arc-cosine kernels to {cfg.b0_tol:g}."),
    source=SOURCE,
    docs=DOCS + "#closed-form",
    verification="[V-num] (formula [R]-derived; the Craig form is derived in proofs/bias_orthant.py)",
    assumptions=("standard bivariate normal, B ≥ 0",
                 "the Owen's-T form loses relative accuracy in the tails by cancellation; it is a cross-check at "
                 "moderate B only"),
    configs=CLOSED_FORM_CONFIGS,
    measure=_closed_form_measure,
    judge=_closed_form_judge,
    summarize=_closed_form_summary,
    plot=_closed_form_plot,
    symbolic=_h_b_latex,
))


# ------------------------------------------------------------------------------------------ 2. convergence
@dataclass(frozen=True)
class ConvergenceConfig:
    """A width × B sweep (``seeds`` networks per cell) on n unit inputs in R^d; pooled slope vs log m(1−Φ(B))."""

    widths: tuple[int, ...]
    Bs: tuple[float, ...]
    seeds: int
    n: int = 5
    d: int = 20
    level: float = 0.99
    #: a wider 99% interval cannot tell −1/2 from −1/4 or −3/4: inconclusive, not passed
    max_halfwidth: float = 0.2


CONVERGENCE_CONFIGS = {
    "small": ConvergenceConfig(widths=(1000, 4000, 16000, 64000), Bs=(0.0, 1.0, 2.0), seeds=3),
    "paper": ConvergenceConfig(widths=(1000, 4000, 16000, 64000, 200000), Bs=(0.0, 1.0, 2.0, 3.0), seeds=8),
}


def convergence_point(B: float, width: int, seed: int, input_seed: int, n: int, d: int, device: str) -> float:
    """One large-bias network's relative error to H_B (a sweep point)."""
    from ..fixtures import network_kernel_error, sphere_inputs
    from ..specs import LargeBiasNet
    return network_kernel_error(LargeBiasNet(B), sphere_inputs(input_seed, n, d), width, seed, device)


def _conv_measure(cfg: ConvergenceConfig, ctx: Context) -> dict:
    from ..kernels.orthant import active_fraction
    from ..nn.monte_carlo import child_seeds
    from ..stats import loglog_fit
    seeds = child_seeds(ctx.seed + 61, cfg.seeds * len(cfg.widths) * len(cfg.Bs))
    cells = [(B, m) for B in cfg.Bs for m in cfg.widths for _ in range(cfg.seeds)]
    points = [dict(B=B, width=m, seed=s, input_seed=ctx.seed, n=cfg.n, d=cfg.d, device=str(ctx.device))
              for (B, m), s in zip(cells, seeds)]
    done = ctx.sweep(convergence_point, points, "bias: width sweep")
    rows = [dict(B=r["B"], width=r["width"], active_width=r["width"] * float(active_fraction(r["B"])), err=r["result"])
            for r in done]
    fit = loglog_fit([r["active_width"] for r in rows], [r["err"] for r in rows])
    return dict(rows=rows, slope=fit.slope, halfwidth_99=fit.halfwidth(cfg.level), intercept=fit.intercept,
                stderr=fit.stderr, n_nets=fit.n, predicted_slope=-0.5)


def _conv_judge(cfg: ConvergenceConfig, d: dict) -> list[Check]:
    return [
        Check("fitted slope within its 99% CI of −1/2", abs(d["slope"] + 0.5), d["halfwidth_99"], "<=",
              "|pooled log-log slope against m(1−Φ(B)) + 1/2| against the 99% CI half-width"),
        Check("CI narrow enough to be conclusive", d["halfwidth_99"], cfg.max_halfwidth, "<=",
              "99% CI half-width of the fitted slope"),
    ]


def _conv_summary(cfg: ConvergenceConfig, d: dict) -> str:
    return (f"pooled slope of log err vs log(m(1−Φ(B))): {d['slope']:+.3f} ± {d['halfwidth_99']:.3f} (99% CI, "
            f"{d['n_nets']} nets), predicted −1/2")


def _conv_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    rows = d["rows"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, B in enumerate(sorted({r["B"] for r in rows})):
        sel = [r for r in rows if r["B"] == B]
        ax.scatter([r["active_width"] for r in sel], [r["err"] for r in sel], s=10, color=f"C{i}",
                   label=f"large bias B = {B:g} (x: m·(1−Φ(B)))")
    pruned = others.get("pruned.effective_width_rate")
    if pruned is not None and pruned.data.get("rows"):  # (1−p)·m plays the role of the active width
        prow = pruned.data["rows"]
        ax.scatter([r["eff_width"] for r in prow], [r["err"] for r in prow], s=10, marker="x", color="0.5",
                   label="random pruning (x: (1−p)·m)")
    else:
        ax.text(0.02, 0.02, "pruned.effective_width_rate did not run: random-pruning overlay absent",
                transform=ax.transAxes, fontsize=7, color="0.4")
    slope_lines(ax, [r["active_width"] for r in rows], [r["err"] for r in rows], d, label="fit (bias)", colour="k")
    loglog_axes(ax, "effective width: active units m(1−Φ(B)), or kept fan-in (1−p)m",
                "relative error of the empirical NTK")
    fig.tight_layout()
    return [("bias.kernel_convergence.png", fig)]


register(Claim(
    id="bias.kernel_convergence",
    title="Empirical NTK → H_B at rate (m(1−Φ(B)))^(-1/2): the active width plays the role of (1−p)m",
    statement=lambda cfg: (
        f"For the large-bias network on {cfg.n} unit inputs in R^{cfg.d}, the relative Frobenius error of the "
        f"empirical NTK to H_B, pooled over m ∈ {{{', '.join(map(str, cfg.widths))}}} and B ∈ {{{_nums(cfg.Bs)}}} "
        f"({cfg.seeds} seeds each), has log-log slope −1/2 against the expected number of active units m(1−Φ(B)) "
        f"within the fit's {cfg.level:.0%} confidence interval, and that interval is narrower than "
        f"±{cfg.max_halfwidth:g}."),
    source=SOURCE,
    docs=DOCS + "#finite-width-convergence",
    verification="[V-num] kernel; the rate is the CLT rate in the active width [R]",
    assumptions=("a_r = ±1 fixed, w ~ N(0, I), b = B, trainable bias; inputs uniform on the sphere",),
    configs=CONVERGENCE_CONFIGS,
    measure=_conv_measure,
    judge=_conv_judge,
    summarize=_conv_summary,
    plot=_conv_plot,
    uses=("pruned.effective_width_rate",),
    symbolic=_h_b_latex,
))


# ------------------------------------------------------------------------------------------ 3. sparse training
@dataclass(frozen=True)
class SparseTrainingConfig:
    """Width ``m`` with B = √(c log m), n unit inputs in R^d with Gaussian targets, ``steps`` GD steps."""

    m: int
    n: int = 20
    d: int = 50
    steps: int = 200
    c: float = 0.4
    #: relative slack on the loss bound (round-off in ½‖r‖²)
    loss_slack: float = 1e-9


SPARSE_CONFIGS = {"small": SparseTrainingConfig(m=10_000), "paper": SparseTrainingConfig(m=100_000)}


def _train_case(B: float, ctx: Context, cfg: SparseTrainingConfig) -> dict:
    import torch

    from ..fixtures import sphere_inputs
    from ..kernels.orthant import active_fraction
    from ..nn.training import train_gd
    from ..specs import LargeBiasNet
    m, n, d, steps = cfg.m, cfg.n, cfg.d, cfg.steps
    x = sphere_inputs(ctx.seed + 71, n, d)
    y = torch.randn(n, generator=torch.Generator().manual_seed(ctx.seed + 72), dtype=torch.float64)
    spec = LargeBiasNet(B)
    h = spec.kernel(x).ntk
    ev = torch.linalg.eigvalsh(h)
    lam_min, lam_max = float(ev[0]), float(ev[-1])
    lr = 1.0 / lam_max
    net = spec.network(m, d, seed=ctx.seed + 73, device=ctx.device)
    rec = train_gd(net, x.to(ctx.device), y.to(ctx.device), lr=lr, steps=steps, log_every=max(1, steps // 40))
    loss = np.array(rec.loss)
    ks = np.array(rec.steps)
    predicted = loss[0] * (1 - lr * lam_min / 2) ** ks  # Du et al. / Song–Yang–Zhang: ‖r_k‖² ≤ (1−ηλ/2)^k ‖r_0‖²
    fit_to = max(3, int(np.argmax(loss < loss[0] * 1e-8)) or len(ks))
    slope = np.polyfit(ks[:fit_to], np.log(loss[:fit_to]), 1)[0]
    counts = np.array(rec.active_counts)
    # compared while the loss is above 1e-20·loss_0: below that float64 round-off (~1e-31 here) floors it
    above = loss > 1e-20 * loss[0]
    return dict(B=B, width=m, lr=lr, lambda_min=lam_min, lambda_max=lam_max, steps=ks.tolist(), loss=loss.tolist(),
                predicted=predicted.tolist(), log_loss_slope=float(slope), predicted_rate=float(lr * lam_min),
                max_active=int(counts.max()), active_bound=2 * m * float(active_fraction(B)),
                active_by_step=counts.max(axis=1).tolist(), kernel_drift=rec.kernel_drift,
                max_loss_over_bound=float(np.max((loss / predicted)[above & (ks > 0)])),
                bound_ok=bool(np.all((loss <= predicted * (1 + cfg.loss_slack))[above])))


def _sparse_measure(cfg: SparseTrainingConfig, ctx: Context) -> dict:
    from ..specs import sqrt_log_bias
    B = sqrt_log_bias(cfg.m, cfg.c)
    return {"large_bias": _train_case(B, ctx, cfg), "zero_bias": _train_case(0.0, ctx, cfg)}


def _sparse_judge(cfg: SparseTrainingConfig, d: dict) -> list[Check]:
    c = d["large_bias"]
    return [
        Check("active units ≤ 2m(1−Φ(B)) at every logged step", c["max_active"], c["active_bound"], "<=",
              "max over inputs and logged GD steps of the number of active units"),
        Check("loss ≤ (1 − ηλ_min/2)^k · loss_0 at every logged step", c["max_loss_over_bound"], 1 + cfg.loss_slack,
              "<=", "max over logged steps k ≥ 1 (loss above 1e-20·loss_0) of loss_k / ((1 − ηλ_min/2)^k loss_0)"),
    ]


def _sparse_summary(cfg: SparseTrainingConfig, d: dict) -> str:
    case, dense = d["large_bias"], d["zero_bias"]
    return (f"B = √({cfg.c:g} log m) = {case['B']:.3f}, m = {cfg.m}: max #active over inputs and steps "
            f"{case['max_active']} ≤ 2m(1−Φ(B)) = {case['active_bound']:.0f}; max loss / linear-rate bound "
            f"{case['max_loss_over_bound']:.3g} (≤ 1, k ≥ 1); fitted log-loss slope "
            f"{case['log_loss_slope']:.3f}/step vs ηλ_min = {case['predicted_rate']:.3f} "
            f"(B = 0: {dense['log_loss_slope']:.3f} vs "
            f"{dense['predicted_rate']:.3f}); kernel drift {case['kernel_drift'][-1]:.3f}")


def _sparse_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for key, colour in (("large_bias", "C0"), ("zero_bias", "C1")):
        c = result.data[key]
        axes[0].semilogy(c["steps"], c["loss"], "o-", ms=3, color=colour, label=f"B = {c['B']:.2f}: loss")
        axes[0].semilogy(c["steps"], c["predicted"], "--", color=colour, label=f"B = {c['B']:.2f}: (1−ηλ/2)^k bound")
    c = result.data["large_bias"]
    axes[1].plot(c["steps"], c["active_by_step"], "o-", ms=3, label="max over inputs of #active")
    axes[1].axhline(c["active_bound"], color="C3", ls="--", label="2·m·(1−Φ(B))")
    axes[1].set_ylim(0, 1.2 * c["active_bound"])
    axes[0].set_xlabel("GD step")
    axes[1].set_xlabel("GD step")
    axes[0].set_ylabel("training loss ½‖f − y‖²")
    axes[1].set_ylabel("active units")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return [("bias.sparse_training.png", fig)]


register(Claim(
    id="bias.sparse_training",
    title="Activation stays sparse through training while the loss decreases linearly",
    statement=lambda cfg: (
        f"At m = {cfg.m}, B = √({cfg.c:g} log m), {cfg.n} unit inputs in R^{cfg.d} with Gaussian targets and "
        f"{cfg.steps} GD steps at η = 1/λ_max(H_B): at every logged step and for every input #active ≤ 2m(1−Φ(B)), "
        "and the loss obeys the linear-rate bound ‖r_k‖² ≤ (1 − ηλ_min(H_B)/2)^k ‖r_0‖² of the NTK convergence "
        "theorems. The fitted rate is reported beside the B = 0 network's (not a check)."),
    source=SOURCE + "; Song, Yang, Zhang 2021; Du et al. 2019",
    docs=DOCS + "#sparse-activation-during-training",
    verification="[R] threshold 2m(1−Φ(B)) and the rate's constant; [V-src] linear convergence (abstract)",
    assumptions=("full-batch GD on ½‖f − y‖², trainable W and b, fixed signs a",
                 "λ_min, λ_max are those of the limiting H_B on the training inputs"),
    configs=SPARSE_CONFIGS,
    measure=_sparse_measure,
    judge=_sparse_judge,
    summarize=_sparse_summary,
    plot=_sparse_plot,
))


# ------------------------------------------------------------------------------------------ 4. smallest eigenvalue
@dataclass(frozen=True)
class LambdaMinConfig:
    """n random unit vectors in R^d; H_B at each B in ``Bs``; ratio floors at B = 2 and 3."""

    n: int
    d: int = 100
    Bs: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
    floors: tuple[tuple[float, float], ...] = ((2.0, 0.85), (3.0, 0.95))
    gershgorin_from: float = 2.0
    #: the worst-case bound's recalled constant: λ_min ≥ e^{−B²/2} δ / (c n²), c = 100 [?]
    worst_case_c: float = 100.0
    #: round-off slack on "increasing"
    monotone_slack: float = 1e-12


LAMBDA_CONFIGS = {"small": LambdaMinConfig(n=50), "paper": LambdaMinConfig(n=200)}


def _lambda_measure(cfg: LambdaMinConfig, ctx: Context) -> dict:
    import torch

    from ..fixtures import sphere_inputs
    from ..kernels.orthant import active_fraction
    from ..specs import LargeBiasNet
    n, d = cfg.n, cfg.d
    x = sphere_inputs(ctx.seed + 81, n, d)
    g = (x @ x.T).fill_diagonal_(0)
    rho_max = float(g.abs().max())
    delta = float(torch.cdist(torch.cat([x, -x]), x).masked_fill(
        torch.cat([torch.eye(n), torch.zeros(n, n)]).bool(), math.inf).min())
    rows = []
    for B in cfg.Bs:
        h = LargeBiasNet(B).kernel(x).ntk
        lam = float(torch.linalg.eigvalsh(h)[0])
        diag = 2 * float(active_fraction(B))
        worst_case = math.exp(-B * B / 2) * delta / (cfg.worst_case_c * n * n)
        rows.append(dict(B=B, lambda_min=lam, ratio=lam / diag, gershgorin=gershgorin_bound(h),
                         worst_case=worst_case, diag=diag))
    return {"rows": rows, "rho_max": rho_max, "delta": delta, "n": n, "d": d}


def _lambda_judge(cfg: LambdaMinConfig, d: dict) -> list[Check]:
    rows = d["rows"]
    ratios = [r["ratio"] for r in rows]
    by_b = {r["B"]: r for r in rows}
    high = [r for r in rows if r["B"] >= cfg.gershgorin_from]
    out = [Check("λ_min/(2(1−Φ(B))) increases with B", min(b - a for a, b in zip(ratios, ratios[1:])),
                 -cfg.monotone_slack, ">=", "smallest step of the ratio between consecutive B (round-off slack)")]
    out += [Check(f"λ_min/(2(1−Φ(B))) ≥ {floor:g} at B = {B:g}", by_b[B]["ratio"], floor, ">=",
                  "λ_min(H_B) over its diagonal 2(1−Φ(B))") for B, floor in cfg.floors]
    out += [
        Check(f"Gershgorin bound positive for B ≥ {cfg.gershgorin_from:g}", min(r["gershgorin"] for r in high), 0.0,
              ">=", "smallest Gershgorin lower bound min_i(H_ii − Σ_j≠i |H_ij|) over those B"),
        Check(f"Gershgorin bound ≤ λ_min for B ≥ {cfg.gershgorin_from:g}",
              max(r["gershgorin"] - r["lambda_min"] for r in high), 0.0, "<=",
              "largest (Gershgorin bound − λ_min) over those B"),
        Check("λ_min ≥ worst-case bound e^{−B²/2}δ/(100n²)", min(r["lambda_min"] / r["worst_case"] for r in rows), 1.0,
              ">=", "smallest λ_min / worst-case bound over B"),
    ]
    return out


def _lambda_summary(cfg: LambdaMinConfig, d: dict) -> str:
    rows = d["rows"]
    return (f"ρ_max = {d['rho_max']:.2f}, δ = {d['delta']:.3f}; λ_min/(2(1−Φ(B))) at B = {_nums(cfg.Bs)}: "
            + ", ".join(f"{r['ratio']:.3f}" for r in rows)
            + "; " + ", ".join(f"≥ {f:g} at B = {B:g}" for B, f in cfg.floors)
            + f"; min λ_min / worst-case bound {min(r['lambda_min'] / r['worst_case'] for r in rows):.3g}")


def _lambda_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    rows = result.data["rows"]
    Bs = [r["B"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].semilogy(Bs, [r["lambda_min"] for r in rows], "o-", label="λ_min(H_B)")
    axes[0].semilogy(Bs, [r["diag"] for r in rows], "--", label="diagonal 2(1−Φ(B))")
    axes[0].semilogy(Bs, [max(r["gershgorin"], 1e-12) for r in rows], "s-", label="Gershgorin (clipped at 1e-12)")
    axes[0].semilogy(Bs, [r["worst_case"] for r in rows], ":", label="worst case e^{−B²/2}δ/(100n²) [?]")
    axes[1].plot(Bs, [r["ratio"] for r in rows], "o-")
    axes[1].axhline(1.0, color="0.5", lw=0.8)
    axes[0].set_xlabel("B")
    axes[1].set_xlabel("B")
    axes[1].set_ylabel("λ_min / (2(1−Φ(B)))")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return [("bias.lambda_min.png", fig)]


register(Claim(
    id="bias.lambda_min",
    title="λ_min(H_B) sharpens with B on separated data; Gershgorin and worst-case bounds hold",
    statement=lambda cfg: (
        f"For {cfg.n} random unit vectors in R^{cfg.d} and B ∈ {{{_nums(cfg.Bs)}}}: λ_min(H_B)/(2(1−Φ(B))) "
        "increases with B and is " + " and ".join(f"≥ {f:g} at B = {B:g}" for B, f in cfg.floors)
        + f"; the data-dependent Gershgorin bound is positive and ≤ λ_min for B ≥ {cfg.gershgorin_from:g}; and "
        f"λ_min ≥ the worst-case bound e^{{−B²/2}}δ/({cfg.worst_case_c:g}n²)."),
    source=SOURCE,
    docs=DOCS + "#smallest-eigenvalue",
    verification="[V-num] ratios (observed 0.369 … 0.983); worst-case bound [?]",
    assumptions=("δ = min_{i≠j} min(‖x_i − x_j‖, ‖x_i + x_j‖)", "the worst-case constant 1/100 is recalled, [?]"),
    configs=LAMBDA_CONFIGS,
    measure=_lambda_measure,
    judge=_lambda_judge,
    summarize=_lambda_summary,
    plot=_lambda_plot,
))


# ------------------------------------------------------------------------------------------ 5. generalization
@dataclass(frozen=True)
class GeneralizationConfig:
    """Width ``m``; ``n_train`` training points per task; B values; confidence δ; GD ``steps`` at η = 1/λ_max."""

    m: int
    n_train: int = 200
    Bs: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5)
    delta: float = 0.05
    steps: int = 400
    synthetic_d: int = 10
    synthetic_test: int = 1000
    digit_classes: tuple[int, int] = (3, 8)


GENERALIZATION_CONFIGS = {"small": GeneralizationConfig(m=4096), "paper": GeneralizationConfig(m=32768)}


def _synthetic(seed: int, n_train: int, n_test: int = 1000, d: int = 10) -> tuple:
    import torch

    from ..fixtures import sphere_inputs
    x = sphere_inputs(seed, n_train + n_test, d)
    v = torch.zeros(d, dtype=torch.float64)
    v[0], v[1] = 1.0, 1.0
    y = torch.sign(x @ v + 0.3 * torch.sin(5 * x[:, 2]))
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _gen_case(name: str, B: float, data: tuple, ctx: Context, cfg: GeneralizationConfig) -> dict:
    import torch

    from ..nn.training import train_gd
    from ..specs import LargeBiasNet
    xtr, ytr, xte, yte = data
    n = len(ytr)
    spec = LargeBiasNet(B)
    h = spec.kernel(xtr).ntk
    complexity = float(ytr @ torch.linalg.solve(h, ytr))
    bound = math.sqrt(2 * complexity / n) + 3 * math.sqrt(math.log(2 / cfg.delta) / (2 * n))
    lam_max = float(torch.linalg.eigvalsh(h)[-1])
    net = spec.network(cfg.m, xtr.shape[1], seed=ctx.seed + 91, device=ctx.device)
    rec = train_gd(net, xtr.to(ctx.device), ytr.to(ctx.device), lr=1.0 / lam_max, steps=cfg.steps,
                   log_every=cfg.steps, track_kernel=False)
    with torch.no_grad():
        tr_err = float((torch.sign(net(xtr.to(ctx.device)).reshape(-1)).cpu() != ytr).double().mean())
        te_err = float((torch.sign(net(xte.to(ctx.device)).reshape(-1)).cpu() != yte).double().mean())
    return dict(task=name, B=B, n_train=n, complexity=complexity, bound=bound, train_err=tr_err, test_err=te_err,
                gap=te_err - tr_err, final_loss=rec.loss[-1], vacuous=bound >= 1.0)


def _gen_measure(cfg: GeneralizationConfig, ctx: Context) -> dict:
    from ..fixtures import digits_pair
    a, b = cfg.digit_classes
    tasks = {f"synthetic (sphere, d={cfg.synthetic_d})": _synthetic(ctx.seed + 95, cfg.n_train, cfg.synthetic_test,
                                                                    cfg.synthetic_d),
             f"digits {a} vs {b}": digits_pair(ctx.seed, cfg.n_train, cfg.digit_classes)}
    rows = []
    for i, (name, data) in enumerate(tasks.items()):
        for j, B in enumerate(cfg.Bs):
            rows.append(_gen_case(name, B, data, ctx, cfg))
            ctx.tick("bias: generalization", i * len(cfg.Bs) + j + 1, len(tasks) * len(cfg.Bs))
    return {"rows": rows, "width": cfg.m}


def _gen_judge(cfg: GeneralizationConfig, d: dict) -> list[Check]:
    return [Check(f"{r['task']}, B={r['B']:g}: gap ≤ bound" + (" (vacuous)" if r["vacuous"] else ""), r["gap"],
                  r["bound"], "<=", "test − train 0-1 error of the GD-trained network, against √(2yᵀH_B⁻¹y/n) + "
                  "3√(log(2/δ)/(2n))") for r in d["rows"]]


def _gen_summary(cfg: GeneralizationConfig, d: dict) -> str:
    return "; ".join(f"{r['task']} B={r['B']:g}: gap {r['gap']:.3f} ≤ bound {r['bound']:.2f}"
                     f"{' (vacuous)' if r['vacuous'] else ''}" for r in d["rows"])


def _gen_plot(result: ClaimResult, others: dict) -> list:
    rows = result.data["rows"]
    return values_vs_bounds("bias.generalization.png", [f"{x['task']} B={x['B']:g}" for x in rows],
                            [x["gap"] for x in rows], upper=[x["bound"] for x in rows],
                            ylabel="test − train 0-1 error", title="gap vs √(2yᵀH_B⁻¹y/n) + confidence term")


register(Claim(
    id="bias.generalization",
    title="NTK-regime generalization bound √(2yᵀH_B⁻¹y/n) + confidence term bounds the measured gap",
    statement=lambda cfg: (
        f"For a synthetic sphere task (R^{cfg.synthetic_d}) and scikit-learn's digits ({cfg.digit_classes[0]} vs "
        f"{cfg.digit_classes[1]}, centred, unit-normalised), n = {cfg.n_train}, B ∈ {{{_nums(cfg.Bs)}}}: the bound "
        f"√(2 yᵀH_B⁻¹y/n) + 3√(log(2/δ)/(2n)) (δ = {cfg.delta:g}) is at least the measured test-minus-train 0-1 "
        f"error of the network trained by {cfg.steps} GD steps (m = {cfg.m}); the report shows how it grows with B "
        "(the complexity yᵀH_B⁻¹y scales like 1/(1−Φ(B)), a sparsity-dependent term) and flags vacuous bounds."),
    source=SOURCE + "; Arora, Du, Hu, Li, Wang 2019 (fine-grained analysis, Thm 5.1)",
    docs=DOCS + "#generalization",
    verification="[R] bound form and confidence constant; the paper's localized-Rademacher bound is not verified",
    assumptions=("labels ±1, 0-1 error measured on held-out data", "the bound holds with probability 1 − δ"),
    configs=GENERALIZATION_CONFIGS,
    measure=_gen_measure,
    judge=_gen_judge,
    summarize=_gen_summary,
    plot=_gen_plot,
))
