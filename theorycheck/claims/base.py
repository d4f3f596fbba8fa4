"""Claims: a theorem (or a checkable consequence of one) as a first-class object, and the registry of them.

A :class:`Claim` has an id, a statement, its source (paper and theorem), the THEORY.md section and verification tag
it rests on, its assumptions, an optional symbolic side (LaTeX), a numeric ``check`` returning a
:class:`ClaimResult` (measured value, bound, relation, margin, verdict, raw data) and an optional ``plot``.
The CLI (``theorycheck verify``), the tests and the notebooks all run claims from the same :data:`REGISTRY`.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from .._validation import check_int, resolve_device

__all__ = ["Claim", "ClaimResult", "Context", "REGISTRY", "register", "get_claim", "all_claims", "SCALES"]

SCALES = ("small", "paper")


@dataclass(frozen=True)
class Context:
    """How to run a check: ``scale`` (``"small"``: CPU-sized default; ``"paper"``: the source's sizes), the base
    ``seed``, the torch ``device``, an optional ``progress(label, done, total)`` callback for long sweeps, the
    ``executor`` that sweeps run on (default: in process) and a ``cache_dir`` that makes sweeps resumable."""

    scale: str = "small"
    seed: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    progress: Callable[[str, int, int], None] | None = None
    executor: Any = None
    cache_dir: str | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {self.scale!r}")
        check_int("seed", self.seed, minimum=0)
        object.__setattr__(self, "device", resolve_device(self.device))

    def tick(self, label: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def sweep(self, fn: Callable[..., Any], points: list[dict], label: str) -> list[dict]:
        """Run ``fn`` over ``points`` with :class:`theorycheck.sweep.Sweep` on this context's executor and cache."""
        from ..sweep import Sweep

        sweep = Sweep(fn, points, name=f"{fn.__module__}.{fn.__qualname__}", cache_dir=self.cache_dir)
        return sweep.run(self.executor, progress=lambda done, total: self.tick(label, done, total))


@dataclass
class ClaimResult:
    """Outcome of one check. ``relation`` is ``"<="`` (measured must not exceed bound) or ``">="``.

    ``margin`` is bound − measured for ``"<="`` and measured − bound for ``">="``: non-negative means the claim holds.
    ``status`` is ``"passed"``, ``"failed"``, ``"skipped"`` (the check could not run: never passed) or
    ``"unsupported"`` (a weak empirical claim the issue allows to be reported as not supported at this scale: the
    numbers are reported, the run does not fail).
    """

    claim_id: str
    measured: float
    bound: float
    relation: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    reason: str = ""
    wall_time: float = 0.0

    def __post_init__(self) -> None:
        if self.relation not in ("<=", ">="):
            raise ValueError(f"relation must be '<=' or '>=', got {self.relation!r}")
        if not self.status:
            self.status = "passed" if self.holds else "failed"

    @property
    def margin(self) -> float:
        if self.relation == "<=":
            return self.bound - self.measured
        return self.measured - self.bound

    @property
    def holds(self) -> bool:
        return math.isfinite(self.measured) and math.isfinite(self.bound) and self.margin >= 0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @classmethod
    def skipped(cls, claim_id: str, reason: str) -> ClaimResult:
        return cls(claim_id, math.nan, math.nan, "<=", f"skipped: {reason}", status="skipped", reason=reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id, "measured": self.measured, "bound": self.bound, "relation": self.relation,
            "margin": self.margin, "status": self.status, "summary": self.summary, "reason": self.reason,
            "wall_time_s": self.wall_time, "data": self.data,
        }


@dataclass(frozen=True)
class Claim:
    """A checkable statement. ``check(ctx)`` does the numerics; ``plot(result)`` returns ``[(name, figure)]``."""

    id: str
    title: str
    statement: str
    source: str
    theory: str
    verification: str
    assumptions: tuple[str, ...]
    check: Callable[[Context], ClaimResult]
    plot: Callable[[ClaimResult], list] | None = None
    symbolic: Callable[[], str] | None = None
    requires: tuple[str, ...] = ()

    def run(self, ctx: Context | None = None) -> ClaimResult:
        """Run the check with timing; an exception becomes a failed result carrying the traceback."""
        ctx = ctx or Context()
        if "cuda" in self.requires and not torch.cuda.is_available():
            return ClaimResult.skipped(self.id, "needs a CUDA device and none is available")
        t0 = time.perf_counter()
        try:
            result = self.check(ctx)
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed silently
            result = ClaimResult(self.id, math.nan, math.nan, "<=", f"error: {exc}", status="failed",
                                 reason=traceback.format_exc())
        result.wall_time = time.perf_counter() - t0
        return result


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim to the registry (ids are unique)."""
    if claim.id in REGISTRY:
        raise ValueError(f"claim id {claim.id!r} is already registered")
    REGISTRY[claim.id] = claim
    return claim


def get_claim(claim_id: str) -> Claim:
    try:
        return REGISTRY[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim id {claim_id!r}; known: {', '.join(sorted(REGISTRY))}") from None


def all_claims() -> list[Claim]:
    return list(REGISTRY.values())
