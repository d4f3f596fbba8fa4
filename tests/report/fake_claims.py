"""Throwaway claims for the CLI and report tests: fast, one of each verdict, a shared sweep, nested data.

``use_fake_claims()`` swaps them into the registry (tests restore it); nothing here is registered on import.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

from theorycheck.claims import REGISTRY, Check, Claim, Context

LONG_SOURCE = ("Imaginary, Authors and Others 2031 (Thm 4.2, Lemma 7); a second paper with a long title that goes on "
               "well past forty-eight characters (Prop. 3)")


@dataclass(frozen=True)
class Cfg:
    n: int
    tol: float = 0.5


CONFIGS = {"small": Cfg(n=6), "paper": Cfg(n=60)}


def square_point(x: int, delay: float = 0.0) -> dict:
    """A sweep point: x², after ``delay`` seconds."""
    if delay:
        time.sleep(delay)
    return {"x": x, "square": x * x}


def shared_sweep(ctx: Context, n: int, delay: float = 0.0) -> dict:
    rows = ctx.sweep(square_point, [dict(x=i, delay=delay) for i in range(n)], "squares")
    return {"xs": [r["x"] for r in rows], "squares": [r["result"]["square"] for r in rows]}


def _sum_measure(cfg: Cfg, ctx: Context) -> dict:
    d = ctx.shared(shared_sweep, n=cfg.n)
    return {"n": cfg.n, "total": sum(d["squares"]), "xs": d["xs"], "squares": d["squares"]}


def _sum_judge(cfg: Cfg, d: dict) -> list[Check]:
    exact = cfg.n * (cfg.n - 1) * (2 * cfg.n - 1) / 6
    return [Check("sum of squares equals n(n−1)(2n−1)/6", abs(d["total"] - exact), 0.0, "<=",
                  "|Σ x² − closed form|")]


def _count_measure(cfg: Cfg, ctx: Context) -> dict:
    d = ctx.shared(shared_sweep, n=cfg.n)
    return {"nested": {"large": {"steps": [0, 1, 2], "loss": [1.0, 0.5, 0.25]}, "zero": {"steps": [0, 1],
                                                                                          "loss": [1.0, 0.9]}},
            "count": len(d["squares"])}


def _count_judge(cfg: Cfg, d: dict) -> list[Check]:
    return [Check("one result per point", d["count"], cfg.n, ">=", "number of sweep results"),
            Check("deliberately failing check", 2.0, 1.0, "<=", "a value of 2 held against 1")]


def _rows_measure(cfg: Cfg, ctx: Context) -> dict:
    return {"rows": [{"k": k, "value": 0.1 * k} for k in range(cfg.n)]}


def _explore_judge(cfg: Cfg, d: dict) -> list[Check]:
    return [Check("effect visible at this scale", 0.01, cfg.tol, ">=", "measured effect size")]


def _plot(result, others) -> list:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    return [(f"{result.claim_id}.png", fig)]


def _interrupt_measure(cfg: Cfg, ctx: Context) -> dict:
    ctx.sweep(square_point, [dict(x=i) for i in range(cfg.n)], "before the interrupt")
    raise KeyboardInterrupt


def _sleepy_measure(cfg: Cfg, ctx: Context) -> dict:
    ctx.sweep(square_point, [dict(x=i, delay=0.3) for i in range(40)], "sleepy")
    return {"n": 40}


def _common(**kw) -> dict:
    base = dict(source=LONG_SOURCE, docs="docs/theory/testonly.md#anchor", verification="[V-num]",
                assumptions=("nothing at all",), configs=CONFIGS, plot=_plot)
    base.update(kw)
    return base


def fake_claims() -> list[Claim]:
    """passed (reads a shared sweep), failed (reads the same sweep; nested data), unsupported (exploratory),
    skipped (needs CUDA)."""
    return [
        Claim(id="testonly.sum", title="Sum of squares", statement="Σ_{{i<{n}}} i² has its closed form.",
              measure=_sum_measure, judge=_sum_judge, symbolic=lambda: r"\sum_{i<n} i^2 = \frac{n(n-1)(2n-1)}{6}",
              **_common()),
        Claim(id="testonly.count", title="Count with a failing check", statement="{n} points give {n} results.",
              measure=_count_measure, judge=_count_judge, **_common()),
        Claim(id="testonly.explore.weak", title="A weak empirical effect", statement="An effect above {tol}.",
              measure=_rows_measure, judge=_explore_judge, exploratory="an empirical trend the paper only shows "
              "on large networks", **_common()),
        Claim(id="testonly.explore.gpu", title="Needs a GPU", statement="Runs on CUDA with n = {n}.",
              measure=_rows_measure, judge=_explore_judge, requires=("cuda",), **_common()),
    ]


def interrupting_claims() -> list[Claim]:
    return [Claim(id="testonly.interrupt", title="Interrupted", statement="n = {n}", measure=_interrupt_measure,
                  judge=_sum_judge, **_common())]


def sleepy_claims() -> list[Claim]:
    return [Claim(id="testonly.sleepy", title="Slow sweep", statement="n = {n}", measure=_sleepy_measure,
                  judge=lambda cfg, d: [Check("ran", d["n"], 1, ">=", "points")], **_common())]


@contextmanager
def use_fake_claims(claims: list[Claim]):
    """Replace the registry's content by ``claims`` for the duration of the block."""
    saved = dict(REGISTRY)
    REGISTRY.clear()
    for c in claims:
        REGISTRY[c.id] = c
    try:
        yield
    finally:
        REGISTRY.clear()
        REGISTRY.update(saved)
