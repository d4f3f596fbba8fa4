"""Data (and a plot) for the report: how far the d → ∞ recursion is from the exact limit of a pruned input layer.

Not a registered claim (the claim framework is being redesigned); :func:`input_layer_gap_data` computes the rows
and :func:`plot_input_layer_gap` draws them (docs/theory/pruned.md, issue 16).

Set-up: L = ``depth`` hidden layers, every matrix pruned (``prune_layers="all"``, no rescaling), σ_w² = 2 (relu) or
1.5 (erf), σ_b = 0, N inputs with ‖x‖² = d. The gap is ‖K_gauss − K_exact‖_F/‖K_exact‖_F for the NTK and NNGP,
K_exact from ``input_layer="auto"`` (enumeration for d ≤ 8, balanced sampling with standard errors beyond).
Finite networks on top: the mean empirical NTK over seeds, its relative distance to both limits and the standard
error of that distance (over seeds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..kernels.recursion import expectations_for, mlp_kernels
from ..nn.empirical import empirical_ntk
from ..specs import MLP
from .inputs import gaussian_inputs, quiet_network

__all__ = ["input_layer_gap_data", "network_gap_data", "plot_input_layer_gap"]

_SW2 = {"relu": 2.0, "erf": 1.5}


def _spec(act: str, p: float, depth: int, input_layer: str, rows: int = 64) -> MLP:
    return MLP(depth=depth, activation=act, sigma_w=math.sqrt(_SW2[act]), prune=p, prune_layers="all",
               input_layer=input_layer, input_layer_rows=rows)


def _gaussian(spec: MLP, x):
    """The plain d → ∞ recursion (without the error estimate that ``input_layer="gaussian"`` adds)."""
    return mlp_kernels(x, None, depth=spec.depth, sigma_w=spec.sigma_w, sigma_b=spec.sigma_b,
                       expect=expectations_for(spec.activation), factors=spec.layer_factors())


def _frob(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(b)))


def input_layer_gap_data(ds: Sequence[int] = (2, 4, 6, 8, 10, 12, 16, 32, 64, 128, 256, 784),
                         activations: Sequence[str] = ("relu", "erf"), ps: Sequence[float] = (0.5, 0.9), *,
                         depth: int = 2, n: int = 8, seed: int = 0, rows: int = 256) -> list[dict]:
    """Relative gap of the d → ∞ recursion to the exact limit, per (activation, p, d).

    Returns:
        Rows ``{act, p, d, method, gap_ntk, gap_nngp, stderr_ntk}``; ``stderr_ntk`` is the standard error of the
        gap from the sampled exact limit (0 when enumerated): ‖SE‖_F/‖K_exact‖_F.
    """
    out = []
    for d in ds:
        x = gaussian_inputs(seed, n, d, radius=math.sqrt(d))
        for act in activations:
            for p in ps:
                ex = _spec(act, p, depth, "auto", rows).kernel(x)
                g_nngp, g_ntk = _gaussian(_spec(act, p, depth, "gaussian"), x)
                se = ex.info.get("ntk_stderr")
                out.append(dict(act=act, p=p, d=d, method=ex.info["input_layer"],
                                gap_ntk=_frob(g_ntk, ex.ntk), gap_nngp=_frob(g_nngp, ex.nngp),
                                stderr_ntk=0.0 if se is None else float(se.norm() / ex.ntk.norm())))
    return out


def network_gap_data(ds: Sequence[int] = (4, 8, 16), activations: Sequence[str] = ("relu", "erf"),
                     ps: Sequence[float] = (0.5, 0.9), *, depth: int = 2, n: int = 8, seed: int = 0,
                     width: int = 4096, n_seeds: int = 6, device: str = "cpu") -> list[dict]:
    """Finite networks (Bernoulli masks, every matrix pruned): the mean empirical NTK over ``n_seeds`` networks.

    Returns:
        Rows ``{act, p, d, width, seeds, err_exact, err_gauss, se}``: ‖mean Θ̂ − K‖_F/‖K_exact‖_F for K the exact
        limit and the d → ∞ recursion, and ``se`` = ‖std Θ̂/√seeds‖_F/‖K_exact‖_F (Monte Carlo scale).
    """
    out = []
    for d in ds:
        x = gaussian_inputs(seed, n, d, radius=math.sqrt(d))
        for act in activations:
            for p in ps:
                exact = _spec(act, p, depth, "auto").kernel(x).ntk.numpy()
                gauss = _gaussian(_spec(act, p, depth, "gaussian"), x)[1].numpy()
                spec = _spec(act, p, depth, "auto")
                th = np.stack([empirical_ntk(quiet_network(spec, width, d, s, device=device), x.to(device))
                               .cpu().numpy() for s in range(n_seeds)])
                mean = th.mean(0)
                se = th.std(0, ddof=1) / math.sqrt(n_seeds)
                norm = np.linalg.norm(exact)
                out.append(dict(act=act, p=p, d=d, width=width, seeds=n_seeds,
                                err_exact=float(np.linalg.norm(mean - exact) / norm),
                                err_gauss=float(np.linalg.norm(mean - gauss) / norm),
                                se=float(np.linalg.norm(se) / norm)))
    return out


def plot_input_layer_gap(gap_rows: list[dict], network_rows: Sequence[dict] = (), path: str | None = None):
    """Log-log plot of the NTK gap against d per (activation, p), networks' distance to the recursion on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    keys = sorted({(r["act"], r["p"]) for r in gap_rows})
    for i, (act, p) in enumerate(keys):
        rs = sorted((r for r in gap_rows if (r["act"], r["p"]) == (act, p)), key=lambda r: r["d"])
        ax.errorbar([r["d"] for r in rs], [r["gap_ntk"] for r in rs], yerr=[2 * r["stderr_ntk"] for r in rs],
                    color=f"C{i}", marker="o", ms=3, label=f"{act}, p={p:g}: ‖Θ_gauss − Θ_exact‖/‖Θ_exact‖")
        nw = sorted((r for r in network_rows if (r["act"], r["p"]) == (act, p)), key=lambda r: r["d"])
        if nw:
            ax.errorbar([r["d"] for r in nw], [r["err_gauss"] for r in nw], yerr=[2 * r["se"] for r in nw],
                        color=f"C{i}", marker="s", ls="none", mfc="none",
                        label=f"{act}, p={p:g}: networks ‖mean Θ̂ − Θ_gauss‖/‖Θ_exact‖")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("input dimension d")
    ax.set_ylabel("relative Frobenius gap (NTK)")
    ax.set_title("pruned input layer: d → ∞ recursion vs exact limit")
    ax.legend(fontsize=6)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
