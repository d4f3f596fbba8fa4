"""Claims about graph metrics of pruning masks (Hoang et al. 2023; ``docs/theory/topology.md``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register

__all__ = ["MetricSanityConfig"]

SOURCE = "Hoang, Kundu, Liu, Wang, NeurIPS 2023; Hoang, Liu, Marculescu, Wang, ICLR 2023"
DOCS = "docs/theory/topology.md"


@dataclass(frozen=True)
class MetricSanityConfig:
    """Sizes of the graphs whose metrics are checked (every threshold is calibrated at these sizes)."""

    #: d-biregular graphs on n + n nodes
    biregular_n: int
    biregular_degrees: tuple[int, ...] = (4, 8, 16)
    #: slack above the Ramanujan bound 2√(d−1) for a random biregular graph (Friedman / Brito–Dumitriu–Harris)
    ramanujan_slack: float = 0.15
    #: complete bipartite K_{a,b}
    complete: tuple[int, int] = (6, 9)
    #: Erdős–Rényi masks [n_out, n_in]
    er_shape: tuple[int, int] = (512, 1024)
    er_seeds: int = 5
    er_dense: float = 0.2
    #: measured and drawn, not checked
    er_middle: float = 0.05
    er_sparse: float = 0.01
    er_gated: float = 0.005
    narc_dense_max: float = -0.02
    narc_sparse_min: float = 0.001
    left_regular_degrees: tuple[int, ...] = (4, 8, 16)
    left_regular_band: tuple[float, float] = (-0.8, 0.2)
    #: isolated units added to the ER mask [outputs, inputs]
    padding: tuple[int, int] = (7, 11)


SANITY_CONFIGS = {"small": MetricSanityConfig(biregular_n=2000), "paper": MetricSanityConfig(biregular_n=4000)}


def _sanity_measure(cfg: MetricSanityConfig, ctx: Context) -> dict:
    from ..fixtures import biregular_mask, er_mask, left_regular_mask
    from ..topology import as_biadjacency, full_spectrum_norm, imdb, layer_topology, mu_hat, narc, spectrum_top
    rng = np.random.default_rng(ctx.seed + 101)
    rows: list[dict] = []
    out: dict = {"rows": rows}
    # complete bipartite K_{a,b}: ±√(ab) and zeros; μ̂ = 0; Δ_r = √(b−1) + √(a−1)
    a, b = cfg.complete
    t = layer_topology(np.ones((b, a)))
    out["complete"] = dict(a=a, b=b, mu0=t.mu0, mu_hat=t.mu_hat, delta_r=t.delta_r,
                           exact_delta_r=math.sqrt(a - 1) + math.sqrt(b - 1))
    # the symmetric-spectrum pitfall
    m = er_mask(rng, 300, 400, 0.05)
    vals = spectrum_top(as_biadjacency(m))
    mu0, mh = mu_hat(vals)
    pitfall = float(np.sort(np.abs(vals))[::-1][1])  # what `sorted_abs[1]` would return
    out["pitfall"] = dict(mu0=mu0, mu_hat=mh, sorted_abs_1=pitfall)
    # weight scaling: |W| = w·M ⇒ λ(|W|) = w(μ0 − μ̂)
    w = 0.37
    tw = layer_topology(m, weights=w * np.ones_like(m))
    out["weighted"] = dict(w=w, weighted_gap=tw.weighted_gap, expected=w * (mu0 - mh), mu0=mu0)
    # random biregular graphs are near-Ramanujan
    for d in cfg.biregular_degrees:
        tb = layer_topology(biregular_mask(rng, cfg.biregular_n, d))
        bound = 2 * math.sqrt(d - 1)
        rows.append(dict(kind="biregular", d=d, mu0=tb.mu0, mu_hat=tb.mu_hat, ramanujan=bound,
                         gap=bound - tb.mu_hat))
    # coordinate norm with ∞/None → 0
    out["full_spectrum_norm"] = full_spectrum_norm((3.0, math.inf, None, 4.0))
    # ER sign checks, NaRC
    n_out, n_in = cfg.er_shape
    for density in (cfg.er_dense, cfg.er_middle, cfg.er_sparse, cfg.er_gated):
        for s in range(cfg.er_seeds):
            me = er_mask(np.random.default_rng(ctx.seed + 1000 * s + int(density * 1e4)), n_out, n_in, density)
            te = layer_topology(me)
            rows.append(dict(kind="ER", density=density, seed=s, d_left=te.d_left, d_right=te.d_right, mu0=te.mu0,
                             mu_hat=te.mu_hat, delta_r=te.delta_r, delta_s=te.delta_s, narc=narc(me)))
    # left-regular masks: Δ_r in a band; IMDB has one sub-graph equal to the full graph
    for d in cfg.left_regular_degrees:
        ml = left_regular_mask(rng, n_out, n_in, d)
        tl, il = layer_topology(ml), imdb(ml)
        rows.append(dict(kind="left-regular", d=d, delta_r=tl.delta_r, imdb_delta_r=il["delta_r"],
                         n_subgraphs=il["n_subgraphs"]))
    # isolated nodes change no graph metric. NaRC is normalised by the layer's dimensions (dim_in·dim_out and
    # d_L/dim_out, as in the authors' code), so padding a layer with isolated units does change it: recorded only.
    padded = np.zeros((n_out + cfg.padding[0], n_in + cfg.padding[1]))
    me = er_mask(np.random.default_rng(ctx.seed + 2000), n_out, n_in, cfg.er_dense)
    padded[:n_out, :n_in] = me
    t1, t2 = layer_topology(me), layer_topology(padded)
    i1, i2 = imdb(me), imdb(padded)
    out["padding"] = dict(delta_r=abs(t1.delta_r - t2.delta_r), delta_s=abs(t1.delta_s - t2.delta_s),
                          mu_hat=abs(t1.mu_hat - t2.mu_hat), imdb_delta_r=abs(i1["delta_r"] - i2["delta_r"]))
    rows.append(dict(kind="isolated-padding", narc=narc(me), narc_padded=narc(padded)))
    return out


def _er(d: dict, density: float) -> list[dict]:
    return [r for r in d["rows"] if r["kind"] == "ER" and r["density"] == density]


def _extreme(values: list, fn=min) -> float:
    """``fn`` of the values; NaN (a check that never holds) when one of them is undefined (``None``)."""
    return math.nan if any(v is None for v in values) else float(fn(values))


def _sanity_judge(cfg: MetricSanityConfig, d: dict) -> list[Check]:
    c, p, w = d["complete"], d["pitfall"], d["weighted"]
    kab = f"K_{{{c['a']},{c['b']}}}"
    out = [
        Check(f"{kab}: top singular value μ0 = √(ab)", abs(c["mu0"] - math.sqrt(c["a"] * c["b"])), 1e-10, "<=",
              "|μ0 − √(ab)|"),
        Check(f"{kab}: μ̂ = 0", c["mu_hat"], 1e-10, "<=", "second-largest distinct |eigenvalue| μ̂"),
        Check(f"{kab}: Δ_r = √(a−1) + √(b−1)", abs(c["delta_r"] - c["exact_delta_r"]), 1e-10, "<=",
              "|Δ_r − (√(a−1) + √(b−1))|"),
        Check("μ̂ strictly below μ0 on a connected random mask", p["mu0"] - p["mu_hat"], 1e-9, ">=",
              "μ0 − μ̂ on a 300 × 400 ER mask at density 0.05"),
        Check("a sorted_abs[1] implementation would return μ0 (the pitfall)", abs(p["sorted_abs_1"] - p["mu0"]), 1e-8,
              "<=", "|second entry of the sorted |spectrum| − μ0|"),
        Check("weighted gap of w·M is w(μ0 − μ̂)", abs(w["weighted_gap"] - w["expected"]), 1e-10 * w["w"] * w["mu0"],
              "<=", "|λ(|W|) − w(μ0 − μ̂)| against 1e-10·w·μ0"),
    ]
    bireg = [r for r in d["rows"] if r["kind"] == "biregular"]
    degrees = ", ".join(str(r["d"]) for r in bireg)
    out.append(Check("random biregular graphs: μ0 = d", max(abs(r["mu0"] - r["d"]) for r in bireg), 1e-8, "<=",
                     f"largest |μ0 − d| over d = {degrees} ({cfg.biregular_n} + {cfg.biregular_n} nodes)"))
    out.append(Check("random biregular graphs are near-Ramanujan", max(r["mu_hat"] - r["ramanujan"] for r in bireg),
                     cfg.ramanujan_slack, "<=", f"largest μ̂ − 2√(d−1) over d = {degrees}"))
    out.append(Check("full-spectrum norm maps ∞/None to 0", abs(d["full_spectrum_norm"] - 5.0), 1e-15, "<=",
                     "|‖(3, ∞, None, 4)‖ − 5|"))
    shape = f"{cfg.er_shape[1]} × {cfg.er_shape[0]} ER"
    dense, sparse, gated = _er(d, cfg.er_dense), _er(d, cfg.er_sparse), _er(d, cfg.er_gated)
    for key, name in (("delta_r", "Δ_r"), ("delta_s", "δ_s")):
        out.append(Check(f"ER density {cfg.er_dense:g}: {name} > 1 in every seed",
                         _extreme([r[key] for r in dense], min), 1.0, ">=",
                         f"smallest {name} over {len(dense)} seeds ({shape})"))
    for key, name in (("delta_r", "Δ_r"), ("delta_s", "δ_s")):
        out.append(Check(f"ER density {cfg.er_sparse:g}: {name} < 0 in every seed",
                         _extreme([r[key] for r in sparse], max), 0.0, "<=",
                         f"largest {name} over {len(sparse)} seeds ({shape})"))
    out.append(Check(f"ER density {cfg.er_gated:g}: the d_L ≥ 3 gate leaves Δ_r undefined",
                     sum(r["delta_r"] is not None for r in gated), 0, "<=",
                     f"number of seeds (of {len(gated)}) with Δ_r defined"))
    out.append(Check(f"NaRC < {cfg.narc_dense_max:g} at density {cfg.er_dense:g} in every seed",
                     max(r["narc"] for r in dense), cfg.narc_dense_max, "<=",
                     f"largest NaRC over {len(dense)} seeds"))
    out.append(Check(f"NaRC > {cfg.narc_sparse_min:g} at density {cfg.er_sparse:g} in every seed",
                     min(r["narc"] for r in sparse), cfg.narc_sparse_min, ">=",
                     f"smallest NaRC over {len(sparse)} seeds"))
    lo, hi = cfg.left_regular_band
    left = [r for r in d["rows"] if r["kind"] == "left-regular"]
    degrees = ", ".join(str(r["d"]) for r in left)
    out.append(Check(f"left-regular masks: Δ_r > {lo:g}", _extreme([r["delta_r"] for r in left], min), lo, ">=",
                     f"smallest Ramanujan gap Δ_r over d = {degrees}"))
    out.append(Check(f"left-regular masks: Δ_r < {hi:g}", _extreme([r["delta_r"] for r in left], max), hi, "<=",
                     f"largest Ramanujan gap Δ_r over d = {degrees}"))
    imdb_dev = [math.inf if r["n_subgraphs"] != 1 or r["imdb_delta_r"] is None or r["delta_r"] is None
                else abs(r["imdb_delta_r"] - r["delta_r"]) for r in left]
    out.append(Check("left-regular masks: IMDB is one sub-graph equal to the full graph", max(imdb_dev), 1e-10,
                     "<=", f"largest |IMDB Δ_r − Δ_r| over d = {degrees} (∞ when IMDB finds several sub-graphs)"))
    out.append(Check("isolated nodes change no graph metric (μ̂, Δ_r, δ_s, IMDB)", max(d["padding"].values()), 1e-9,
                     "<=", f"largest change of a metric when {cfg.padding[0]} outputs and {cfg.padding[1]} inputs "
                     "with no edges are added"))
    return out


def _sanity_summary(cfg: MetricSanityConfig, d: dict) -> str:
    dense, sparse = _er(d, cfg.er_dense), _er(d, cfg.er_sparse)
    bireg = [r for r in d["rows"] if r["kind"] == "biregular"]
    return (f"ER Δ_r at density {cfg.er_dense:g} / {cfg.er_sparse:g}: {np.mean([r['delta_r'] for r in dense]):+.2f} / "
            f"{np.mean([r['delta_r'] for r in sparse]):+.2f}, NaRC {np.mean([r['narc'] for r in dense]):+.4f} / "
            f"{np.mean([r['narc'] for r in sparse]):+.4f}; biregular μ̂ − 2√(d−1): "
            + ", ".join(f"d={r['d']} {-r['gap']:+.3f}" for r in bireg) + f" (≤ {cfg.ramanujan_slack:g})")


def _sanity_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    er = [r for r in result.data["rows"] if r["kind"] == "ER"]
    dens = sorted({r["density"] for r in er})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for key, style in (("delta_r", "o-"), ("delta_s", "s-")):
        means = [np.mean([r[key] for r in er if r["density"] == d and r[key] is not None] or [np.nan]) for d in dens]
        axes[0].plot(dens, means, style, label=key)
    axes[0].axhline(0, color="0.5", lw=0.8)
    axes[0].set_xscale("log")
    n_out, n_in = result.config["er_shape"]
    axes[0].set_xlabel(f"density ({n_in} × {n_out} Erdős–Rényi)")
    axes[0].set_ylabel("Ramanujan gap (undefined below the d_L ≥ 3 gate)")
    axes[0].legend(fontsize=7)
    axes[1].plot(dens, [np.mean([r["narc"] for r in er if r["density"] == d]) for d in dens], "o-")
    axes[1].axhline(0, color="0.5", lw=0.8)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("density")
    axes[1].set_ylabel("NaRC random_bound (≤ 0: 'random')")
    fig.tight_layout()
    return [("topology.metric_sanity.png", fig)]


register(Claim(
    id="topology.metric_sanity",
    title="Mask graph metrics: Ramanujan gaps, μ̂ pitfall, weighted gap, IMDB, NaRC behave as the theory says",
    statement=lambda cfg: (
        f"Complete bipartite graphs (K_{{{cfg.complete[0]},{cfg.complete[1]}}}) have μ̂ = 0 and the exact Δ_r; μ̂ is "
        "strictly below μ0 on connected random masks (the sorted_abs[1] pitfall returns μ0); the weighted gap of w·M "
        f"is w(μ0 − μ̂); random d-biregular graphs on {cfg.biregular_n} + {cfg.biregular_n} nodes "
        f"(d = {', '.join(map(str, cfg.biregular_degrees))}) have μ0 = d and μ̂ ≤ 2√(d−1) + {cfg.ramanujan_slack:g}; "
        f"on {cfg.er_shape[1]} × {cfg.er_shape[0]} ER masks Δ_r and δ_s are > 1 at density {cfg.er_dense:g} and "
        f"< 0 at {cfg.er_sparse:g}, undefined at {cfg.er_gated:g} (gate d_L ≥ 3); NaRC < {cfg.narc_dense_max:g} at "
        f"{cfg.er_dense:g} and > {cfg.narc_sparse_min:g} at {cfg.er_sparse:g} in {cfg.er_seeds}/{cfg.er_seeds} "
        f"seeds; left-regular masks (d = {', '.join(map(str, cfg.left_regular_degrees))}) have Δ_r ∈ "
        f"({cfg.left_regular_band[0]:g}, {cfg.left_regular_band[1]:g}) and a one-sub-graph IMDB equal to the full "
        "graph; isolated nodes change no graph metric."),
    source=SOURCE,
    docs=DOCS + "#metric-sanity",
    verification="[V-src code] definitions; [V-num] calibrated thresholds; Friedman / Brito–Dumitriu–Harris bound",
    assumptions=("masks are [C_out, C_in] with left nodes = inputs; zero-degree nodes removed first",
                 "NaRC uses |E| = 2 × #edges (the code's symmetrised edge list)",
                 "NaRC is normalised by the layer's full dimensions, so unlike the graph metrics it changes when "
                 "isolated units are added (the theory notes say 'any metric'; the definition contradicts that)"),
    configs=SANITY_CONFIGS,
    measure=_sanity_measure,
    judge=_sanity_judge,
    summarize=_sanity_summary,
    plot=_sanity_plot,
))
