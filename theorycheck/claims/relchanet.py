"""Claims on RelChaNet feature selection (Zimmer 2024; ``docs/theory/beyond_kernel.md``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register

__all__ = ["IdentityConfig", "PlantedConfig", "DigitsConfig", "identity_point", "planted_point", "digits_point"]

DOCS = "docs/theory/beyond_kernel.md#relchanet-feature-selection"
SOURCE = ("Zimmer 2024, 'RelChaNet: Neural Network Feature Selection using Relative Change Scores' "
          "(arXiv 2410.02344) and its code relchanet/code.py (no theorem)")
EMPIRICAL = ("an empirical feature-selection method without a theorem: at this scale it may fall short of the "
             "paper's thresholds, which is then reported as measured")


# ------------------------------------------------------------------------------------------ identity + invariants
@dataclass(frozen=True)
class IdentityConfig:
    """Runs on the planted task (n points, d features, ``informative`` + as many redundant): ``seeds`` SGD runs
    (step ``lr``) recording the identity and ``seeds`` Adam runs, all checked for the invariants."""

    n: int
    d: int
    informative: int
    k: int
    epochs: int
    batch_size: int
    switch_interval: int
    lr: float
    seeds: int
    tol: float = 1e-10


IDENTITY_CONFIGS = {
    "small": IdentityConfig(n=1000, d=50, informative=5, k=5, epochs=20, batch_size=50, switch_interval=10, lr=0.05,
                            seeds=2),
    "paper": IdentityConfig(n=10000, d=100, informative=10, k=10, epochs=100, batch_size=1024, switch_interval=10,
                            lr=0.05, seeds=3),
}


def identity_point(seed: int, n: int, d: int, informative: int, k: int, epochs: int, batch_size: int,
                   switch_interval: int, lr: float, optimizer: str, device: str) -> dict:
    """One RelChaNet run: its identity errors (SGD) and invariant violations (a sweep point)."""
    from ..methods.data import planted_classification
    from ..methods.relchanet import select_features
    xtr, ytr, _, _ = planted_classification(seed, n, d, informative)
    sgd = optimizer == "sgd"
    r = select_features(xtr, ytr, k, n_hidden=10, epochs=epochs, batch_size=batch_size, lr=lr if sgd else 1e-3,
                        candidate_perc=0.2, switch_interval=switch_interval, optimizer=optimizer, seed=seed,
                        device=device, record_identity=sgd)
    return {"identity_errors": r.identity_errors, "violations": r.violations, "n_updates": r.n_updates}


def _identity_measure(cfg: IdentityConfig, ctx: Context) -> dict:
    from ..methods.relchanet import INVARIANTS
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 80, cfg.seeds)
    common = dict(n=cfg.n, d=cfg.d, informative=cfg.informative, k=cfg.k, epochs=cfg.epochs,
                  batch_size=cfg.batch_size, switch_interval=cfg.switch_interval, lr=cfg.lr, device=str(ctx.device))
    points = [dict(seed=s, optimizer=o, **common) for o in ("sgd", "adam") for s in seeds]
    rows = ctx.sweep(identity_point, points, "RelChaNet identity and invariants (runs)")
    sgd = [r["result"] for r in rows if r["optimizer"] == "sgd"]
    return {"identity_errors": [r["identity_errors"] for r in sgd],
            "violations": {name: sum(r["result"]["violations"][name] for r in rows) for name in INVARIANTS},
            "updates_checked": sum(r["result"]["n_updates"] for r in rows), "runs": len(rows)}


def _identity_judge(cfg: IdentityConfig, d: dict) -> list[Check]:
    from ..methods.relchanet import INVARIANTS
    worst = max(max(e) for e in d["identity_errors"])
    checks = [Check("relative-change identity under SGD", worst, cfg.tol, "<=",
                    "max over SGD runs and updates of max|G + (|b|/(ηn))ΔW| / max|G| (float64)")]
    checks += [Check(f"invariant '{name}' holds on every update", d["violations"][name], 0.0, "<=",
                     f"number of violating updates out of {d['updates_checked']}") for name in INVARIANTS]
    return checks


def _identity_summary(cfg: IdentityConfig, d: dict) -> str:
    worst = max(max(e) for e in d["identity_errors"])
    return (f"identity error {worst:.2g} (≤ {cfg.tol:g}); invariant violations "
            f"{sum(d['violations'].values())} over {d['updates_checked']} updates of {d['runs']} runs (must be 0)")


def _identity_plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for j, errs in enumerate(d["identity_errors"]):
        ax.semilogy(range(1, len(errs) + 1), np.maximum(errs, 1e-18), ".-", label=f"SGD run {j}")
    ax.axhline(result.config["tol"], color="C3", ls=":", label="tolerance")
    ax.set_xlabel("score update")
    ax.set_ylabel("max|G − predicted| / max|G|")
    ax.set_title("RelChaNet score = weight change since the last switch (SGD)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [("relchanet.relative_change_identity.png", fig)]


register(Claim(
    id="relchanet.relative_change_identity",
    title="RelChaNet's gradient score is the relative weight change since the last switch; its invariants hold",
    statement=lambda cfg: (
        f"On the planted task ({cfg.n}×{cfg.d}), under plain SGD (η = {cfg.lr:g}, |b| = {cfg.batch_size}) the "
        "accumulated score G = Σ∇W₁L·|b|/n equals −(|b|/(ηn))(W₁ − W₁^enter) at every update to "
        f"{cfg.tol:g} relative, and over {cfg.seeds} SGD and {cfg.seeds} Adam runs every update keeps K distinct "
        "ident features, distinct selected features, non-decreasing highscores, candidates outside ident and reset "
        "weights within 1e-8."),
    source=SOURCE,
    docs=DOCS,
    verification="[V-num]",
    assumptions=("float64; every mini-batch has the same size (the last partial batch is dropped, as in the code)",
                 "the identity is exact for plain SGD only; the paper's Adam gives it in direction and rough size"),
    configs=IDENTITY_CONFIGS,
    measure=_identity_measure,
    judge=_identity_judge,
    summarize=_identity_summary,
    plot=_identity_plot,
    symbolic=lambda: r"G = \sum_t \nabla_{W_1} L_t \frac{|b|}{n} = -\frac{|b|}{\eta n}(W_1^{\mathrm{now}} - "
                     r"W_1^{\mathrm{enter}})",
))


# ---------------------------------------------------------------------------------------------- planted recovery
@dataclass(frozen=True)
class PlantedConfig:
    """RelChaNet (K of d, hidden width, Adam) on the planted task; SVC on the selection vs ``random_repeats`` random
    K-subsets."""

    n: int
    d: int
    informative: int
    k: int
    n_hidden: int
    epochs: int
    batch_size: int
    switch_interval: int
    seeds: int
    random_repeats: int = 5
    min_fraction: float = 0.8
    min_gain: float = 0.1


PLANTED_CONFIGS = {
    "small": PlantedConfig(n=3000, d=100, informative=10, k=10, n_hidden=10, epochs=100, batch_size=256,
                           switch_interval=20, seeds=3),
    # examples/basic.py: 10000 × 100, K = 10, 2000 epochs, batch 1024, switch_interval 100, n_hidden 10
    "paper": PlantedConfig(n=10000, d=100, informative=10, k=10, n_hidden=10, epochs=2000, batch_size=1024,
                           switch_interval=100, seeds=3),
}


def planted_point(seed: int, n: int, d: int, informative: int, k: int, n_hidden: int, epochs: int, batch_size: int,
                  switch_interval: int, random_repeats: int, device: str) -> dict:
    """One seed of the planted task: the selection, its SVC accuracy and the random-subset baseline."""
    from ..methods.data import planted_classification, random_subsets_accuracy, svc_accuracy
    from ..methods.relchanet import select_features
    xtr, ytr, xte, yte = planted_classification(seed, n, d, informative)
    r = select_features(xtr, ytr, k, n_hidden=n_hidden, epochs=epochs, batch_size=batch_size, lr=1e-3,
                        candidate_perc=0.2, switch_interval=switch_interval, seed=seed, device=device)
    return {"selected": r.selected, "fraction_planted": float(np.mean(np.asarray(r.selected) < 2 * informative)),
            "svc_selected": svc_accuracy(xtr, ytr, xte, yte, r.selected),
            "svc_random": random_subsets_accuracy(xtr, ytr, xte, yte, k, random_repeats, seed + 1),
            "svc_all": svc_accuracy(xtr, ytr, xte, yte)}


def _planted_measure(cfg: PlantedConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 81, cfg.seeds)
    points = [dict(seed=s, n=cfg.n, d=cfg.d, informative=cfg.informative, k=cfg.k, n_hidden=cfg.n_hidden,
                   epochs=cfg.epochs, batch_size=cfg.batch_size, switch_interval=cfg.switch_interval,
                   random_repeats=cfg.random_repeats, device=str(ctx.device)) for s in seeds]
    rows = [r["result"] for r in ctx.sweep(planted_point, points, "RelChaNet planted recovery (seeds)")]
    return {key: [r[key] for r in rows] for key in rows[0]} | {"seeds": seeds}


def _planted_judge(cfg: PlantedConfig, d: dict) -> list[Check]:
    gains = [s - float(np.mean(r)) for s, r in zip(d["svc_selected"], d["svc_random"])]
    return [
        Check(f"selected features lie in the {2 * cfg.informative} planted ones", min(d["fraction_planted"]),
              cfg.min_fraction, ">=", "min over seeds of the fraction of the K selected features that are informative "
                                      "or redundant"),
        Check(f"SVC on the selection beats SVC on random {cfg.k}-subsets", min(gains), cfg.min_gain, ">=",
              "min over seeds of test accuracy(selected) − mean test accuracy(random subsets)"),
    ]


def _planted_summary(cfg: PlantedConfig, d: dict) -> str:
    fr = ", ".join(f"{f:.2f}" for f in d["fraction_planted"])
    sel = ", ".join(f"{a:.3f}" for a in d["svc_selected"])
    rnd = ", ".join(f"{np.mean(a):.3f}" for a in d["svc_random"])
    return (f"fraction planted {fr} (≥ {cfg.min_fraction}); SVC selected {sel} vs random {rnd} "
            f"(gain ≥ {cfg.min_gain}); all features {np.mean(d['svc_all']):.3f}")


def _accuracy_plot(name: str, title: str):
    def plot(result: ClaimResult, others: dict) -> list:
        import matplotlib.pyplot as plt

        d = result.data
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        seeds = np.arange(len(d["svc_selected"]))
        ax.plot(seeds, d["svc_selected"], "o", color="C0", label="RelChaNet selection")
        for j, accs in enumerate(d["svc_random"]):
            ax.plot(np.full(len(accs), j), accs, "x", color="C1", label="random subsets" if j == 0 else None)
        ax.plot(seeds, d["svc_all"], "s", color="0.5", label="all features")
        if "svc_variance" in d:
            ax.plot(seeds, d["svc_variance"], "^", color="C2", label="top-variance filter")
        ax.set_xticks(seeds)
        ax.set_xlabel("seed")
        ax.set_ylabel("SVC test accuracy")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return [(name, fig)]

    return plot


register(Claim(
    id="relchanet.planted_recovery",
    title="RelChaNet recovers planted informative features",
    statement=lambda cfg: (
        f"On make_classification ({cfg.n}×{cfg.d}, features 0–{cfg.informative - 1} informative, "
        f"{cfg.informative}–{2 * cfg.informative - 1} redundant), RelChaNet with K = {cfg.k} (hidden {cfg.n_hidden}, "
        f"Adam, {cfg.epochs} epochs) selects ≥ {cfg.min_fraction:g} planted features on each of {cfg.seeds} seeds, "
        f"and SVC on its selection beats SVC on random {cfg.k}-subsets by ≥ {cfg.min_gain:g} accuracy."),
    source=SOURCE,
    docs=DOCS,
    verification="[V-num]",
    assumptions=("the data of examples/basic.py (two classes, shuffle=False, min–max scaling); small scale uses "
                 "3000 points and 100 epochs instead of 10000 and 2000",
                 "without the optional early stopping and adaptive input size of the code"),
    configs=PLANTED_CONFIGS,
    measure=_planted_measure,
    judge=_planted_judge,
    summarize=_planted_summary,
    plot=_accuracy_plot("relchanet.planted_recovery.png", "RelChaNet on the planted task"),
    exploratory=EMPIRICAL,
))


# ------------------------------------------------------------------------------------------------------ digits
@dataclass(frozen=True)
class DigitsConfig:
    """RelChaNet selecting K of the 64 digit pixels; SVC vs random K-subsets and a top-variance filter."""

    k: int
    n_hidden: int
    epochs: int
    batch_size: int
    switch_interval: int
    candidate_perc: float
    seeds: int
    random_repeats: int = 5
    min_gain: float = 0.05


DIGITS_CONFIGS = {
    "small": DigitsConfig(k=16, n_hidden=100, epochs=100, batch_size=256, switch_interval=10, candidate_perc=0.5,
                          seeds=3),
    "paper": DigitsConfig(k=16, n_hidden=100, epochs=400, batch_size=256, switch_interval=10, candidate_perc=0.5,
                          seeds=5),
}


def digits_point(seed: int, k: int, n_hidden: int, epochs: int, batch_size: int, switch_interval: int,
                 candidate_perc: float, random_repeats: int, device: str) -> dict:
    """One seed on digits: the selection's SVC accuracy beside random subsets, a variance filter and all pixels."""
    from ..methods.data import digits_split, random_subsets_accuracy, svc_accuracy
    from ..methods.relchanet import select_features
    xtr, ytr, xte, yte = digits_split(seed)
    r = select_features(xtr, ytr, k, n_hidden=n_hidden, epochs=epochs, batch_size=batch_size, lr=1e-3,
                        candidate_perc=candidate_perc, switch_interval=switch_interval, seed=seed, device=device)
    top_var = np.argsort(xtr.var(axis=0))[-k:]
    return {"selected": r.selected, "svc_selected": svc_accuracy(xtr, ytr, xte, yte, r.selected),
            "svc_random": random_subsets_accuracy(xtr, ytr, xte, yte, k, random_repeats, seed + 1),
            "svc_variance": svc_accuracy(xtr, ytr, xte, yte, top_var), "svc_all": svc_accuracy(xtr, ytr, xte, yte)}


def _digits_measure(cfg: DigitsConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 82, cfg.seeds)
    points = [dict(seed=s, k=cfg.k, n_hidden=cfg.n_hidden, epochs=cfg.epochs, batch_size=cfg.batch_size,
                   switch_interval=cfg.switch_interval, candidate_perc=cfg.candidate_perc,
                   random_repeats=cfg.random_repeats, device=str(ctx.device)) for s in seeds]
    rows = [r["result"] for r in ctx.sweep(digits_point, points, "RelChaNet on digits (seeds)")]
    return {key: [r[key] for r in rows] for key in rows[0]} | {"seeds": seeds}


def _digits_judge(cfg: DigitsConfig, d: dict) -> list[Check]:
    gains = [s - float(np.mean(r)) for s, r in zip(d["svc_selected"], d["svc_random"])]
    return [Check(f"SVC on the {cfg.k} selected pixels beats SVC on random {cfg.k}-subsets", min(gains), cfg.min_gain,
                  ">=", "min over seeds of test accuracy(selected) − mean test accuracy(random subsets)")]


def _digits_summary(cfg: DigitsConfig, d: dict) -> str:
    return (f"SVC selected {np.mean(d['svc_selected']):.3f} vs random {np.mean(d['svc_random']):.3f} (gain ≥ "
            f"{cfg.min_gain}, min over seeds); top-variance filter {np.mean(d['svc_variance']):.3f}; all 64 pixels "
            f"{np.mean(d['svc_all']):.3f} (means over {len(d['seeds'])} seeds)")


register(Claim(
    id="relchanet.digits",
    title="RelChaNet on digits beats random pixel subsets",
    statement=lambda cfg: (
        f"On scikit-learn digits, SVC on the K = {cfg.k} pixels RelChaNet selects (hidden {cfg.n_hidden}, "
        f"{cfg.epochs} epochs, candidate_perc {cfg.candidate_perc:g}) beats SVC on random {cfg.k}-pixel subsets by "
        f"≥ {cfg.min_gain:g} test accuracy on each of {cfg.seeds} seeds."),
    source=SOURCE,
    docs=DOCS,
    verification="[V-num]",
    assumptions=("pixels scaled to [0, 1]; a stratified 75/25 split per seed",
                 "caveat: a top-variance filter scores about as well, so digits cannot separate RelChaNet from "
                 "trivial filters (reported beside the check, not checked)"),
    configs=DIGITS_CONFIGS,
    measure=_digits_measure,
    judge=_digits_judge,
    summarize=_digits_summary,
    plot=_accuracy_plot("relchanet.digits.png", "RelChaNet on digits (K = 16 of 64 pixels)"),
    exploratory=EMPIRICAL,
))
