"""Claims: a theorem (or a checkable consequence of one) declared as data, measured apart from judged and drawn.

A :class:`Claim` is declared once, as data:

* ``configs``: one frozen config per scale (``"small"``: CPU-sized default; ``"paper"``: the source's sizes);
* ``statement``: a template rendered from the config (``"{widths}"`` → the config's ``widths``), so the statement is
  right at every scale;
* ``measure(config, ctx) -> dict``: the numerics, pure, returning picklable raw data;
* ``judge(config, data) -> list[Check]``: turns the data into **named sub-checks** (value, bound, relation); the
  verdict is derived from them (:attr:`ClaimResult.status`) and never set by hand;
* ``summarize(config, data) -> str`` (optional): one line for the terminal;
* ``plot(result, others) -> [(file name, figure)]`` (optional): drawn from the result alone; a plot that overlays
  another claim's data names that claim in ``uses`` and receives its result in ``others`` (absent when it did not
  run: the plot says so, it never silently drops the overlay);
* ``exploratory``: the reason a claim is a weak empirical statement that may be reported "unsupported" at this
  scale instead of "failed" (only such claims can end "unsupported").

Measurements shared by several claims (one width sweep read by the NTK and the NNGP claim) go through
:meth:`Context.shared`, a memo that lives as long as the run's :class:`Context`; its wall time is attributed to every
claim that reads it.

The CLI (``theorycheck verify``), the tests and the notebooks all run claims from the same :data:`REGISTRY`. Docs:
``docs/claims.md``.
"""

from __future__ import annotations

import dataclasses
import math
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._validation import check_int, resolve_device

if TYPE_CHECKING:  # torch is imported when a Context is made, so importing the registry (``--list``) stays cheap
    import torch

__all__ = [
    "Check", "Claim", "ClaimResult", "Context", "REGISTRY", "register", "get_claim", "all_claims", "SCALES",
    "RELATIONS", "STATUSES",
]

SCALES = ("small", "paper")
RELATIONS = ("<=", ">=")
#: passed: every sub-check holds; failed: one does not (or the measurement raised); unsupported: one does not and
#: the claim is declared exploratory; skipped: the check could not run here (e.g. needs CUDA), never passed.
STATUSES = ("passed", "failed", "unsupported", "skipped")


@dataclass(frozen=True)
class Context:
    """How to run a check: ``scale``, the base ``seed``, the torch ``device``, an optional
    ``progress(label, done, total)`` callback for long sweeps, the ``executor`` that sweeps run on (default: in
    process) and a ``cache_dir`` that makes sweeps resumable. ``memo`` holds the run's shared measurements
    (:meth:`shared`)."""

    scale: str = "small"
    seed: int = 0
    device: torch.device = field(default_factory=lambda: resolve_device(None))
    progress: Callable[[str, int, int], None] | None = None
    executor: Any = None
    cache_dir: str | None = None
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {self.scale!r}")
        check_int("seed", self.seed, minimum=0, maximum=2**63 - 1)
        object.__setattr__(self, "device", resolve_device(self.device))

    def tick(self, label: str, done: int, total: int) -> None:
        """Report progress of a long measurement (a no-op without a ``progress`` callback)."""
        if self.progress is not None:
            self.progress(label, done, total)

    def sweep(self, fn: Callable[..., Any], points: list[dict], label: str) -> list[dict]:
        """Run ``fn`` over ``points`` with :class:`theorycheck.sweep.Sweep` on this context's executor and cache;
        returns one ``{"params", "result"}`` row per point, in order."""
        from ..sweep import Sweep

        sweep = Sweep(fn, points, name=f"{fn.__module__}.{fn.__qualname__}", cache_dir=self.cache_dir)
        return sweep.run(self.executor, progress=lambda done, total: self.tick(label, done, total))

    def shared(self, fn: Callable[..., dict], **params: Any) -> dict:
        """``fn(ctx=self, **params)``, computed once per run for equal ``params`` and shared by every claim that asks.

        The time of the first computation is recorded and attributed (:attr:`ClaimResult.shared_time`) to each
        claim that reads it.
        """
        key = (f"{fn.__module__}.{fn.__qualname__}", tuple(sorted((k, repr(v)) for k, v in params.items())))
        if key not in self.memo:
            t0 = time.perf_counter()
            value = fn(ctx=self, **params)
            self.memo[key] = (value, time.perf_counter() - t0)
        value, seconds = self.memo[key]
        reads = self.memo.setdefault("__reads__", [])
        reads.append((key[0], seconds))
        return value


@dataclass(frozen=True)
class Check:
    """One named sub-check: ``value`` must satisfy ``relation`` against ``bound``.

    Args:
        name: plain name of what is checked ("fitted slope within the 99% CI of −1/2").
        value: the measured number.
        bound: the number it is held against.
        relation: ``"<="`` (value must not exceed bound) or ``">="``.
        meaning: what ``value`` is, with its unit ("|slope + 1/2|", "relative Frobenius error").
    """

    name: str
    value: float
    bound: float
    relation: str
    meaning: str = ""

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.relation!r}")
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "bound", float(self.bound))

    @property
    def margin(self) -> float:
        """bound − value for ``"<="``, value − bound for ``">="``: non-negative means the check holds."""
        return self.bound - self.value if self.relation == "<=" else self.value - self.bound

    @property
    def holds(self) -> bool:
        """Whether the check holds (a NaN value or bound never holds)."""
        return math.isfinite(self.value) and not math.isnan(self.bound) and self.margin >= 0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "bound": self.bound, "relation": self.relation,
                "margin": self.margin, "holds": self.holds, "meaning": self.meaning}


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of one claim: its sub-checks, raw data and derived verdict.

    Args:
        claim_id: the claim's id.
        checks: the named sub-checks (empty only when skipped or errored).
        data: the raw, picklable measurement (what ``measure`` returned).
        summary: one line for the terminal.
        config: the config the claim ran with (as a dict).
        scale: the scale it ran at.
        exploratory: the claim's exploratory reason (``None`` for a theorem check).
        skip_reason: why it could not run (then the status is ``"skipped"``).
        error: the traceback when the measurement raised (then the status is ``"failed"``).
        wall_time: seconds spent in this claim, shared measurements it computed included.
        shared_time: seconds of shared measurements this claim read (computed by it or by an earlier claim).
    """

    claim_id: str
    checks: tuple[Check, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    scale: str = "small"
    exploratory: str | None = None
    skip_reason: str = ""
    error: str = ""
    wall_time: float = 0.0
    shared_time: float = 0.0

    @property
    def status(self) -> str:
        """Derived, never set: skipped / failed (error or a failing check) / unsupported (exploratory) / passed."""
        if self.skip_reason:
            return "skipped"
        if self.error or not self.checks:
            return "failed"
        if all(c.holds for c in self.checks):
            return "passed"
        return "unsupported" if self.exploratory else "failed"

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def n_holding(self) -> int:
        return sum(c.holds for c in self.checks)

    @property
    def failing(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]

    @property
    def worst(self) -> Check | None:
        """The check with the smallest margin relative to its bound's scale (the one closest to failing)."""
        if not self.checks:
            return None

        def rel(c: Check) -> float:
            if not c.holds:
                return -math.inf if not math.isfinite(c.margin) else c.margin / max(abs(c.bound), 1e-300) - 1e300
            return c.margin / max(abs(c.bound), abs(c.value), 1e-300)

        return min(self.checks, key=rel)

    @property
    def reason(self) -> str:
        """Why the verdict is what it is, in words (the error, the skip reason, the failing checks)."""
        if self.skip_reason:
            return self.skip_reason
        if self.error:
            return self.error
        failing = self.failing
        if not failing:
            return ""
        text = "; ".join(f"{c.name}: {c.value:.4g} {'>' if c.relation == '<=' else '<'} {c.bound:.4g}"
                         for c in failing)
        if self.exploratory:
            return f"not supported at this scale ({text}); exploratory claim: {self.exploratory}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id, "status": self.status, "summary": self.summary, "scale": self.scale,
            "config": self.config, "checks": [c.to_json() for c in self.checks],
            "checks_holding": f"{self.n_holding} of {len(self.checks)}", "exploratory": self.exploratory,
            "reason": self.reason, "wall_time_s": self.wall_time, "shared_time_s": self.shared_time,
            "data": self.data,
        }


def _config_dict(config: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    if isinstance(config, Mapping):
        return dict(config)
    raise TypeError(f"a claim config must be a frozen dataclass or a mapping, got {type(config).__name__}")


@dataclass(frozen=True)
class Claim:
    """A checkable statement, declared as data (see the module docstring for the life of a claim).

    Args:
        id: dotted id, ``family.name[.variant]``; ids are unique in the registry.
        title: one-line title.
        statement: the checkable statement, a ``str.format`` template over the config's fields (or a callable
            ``config -> str``).
        source: the paper(s) with theorem numbers.
        docs: the docs page that derives it (``"docs/theory/pruned.md#scaling-identity"``).
        verification: how far the underlying formula was verified (``[V-src]``, ``[V-num]``, ``[R]``, ``[?]``).
        assumptions: the assumptions the check rests on (reconstructed ones say so).
        configs: one frozen config per scale in :data:`SCALES`.
        measure: ``(config, ctx) -> dict`` of picklable raw data.
        judge: ``(config, data) -> list[Check]``, the named sub-checks.
        summarize: ``(config, data) -> str``, optional one-line summary.
        plot: ``(result, others) -> [(file name, figure)]``, optional.
        uses: ids of claims whose results ``plot`` overlays (received in ``others`` when they ran).
        symbolic: ``() -> str``, the formula in LaTeX, optional.
        requires: ``("cuda",)`` when the check needs a GPU (skipped, never passed, without one).
        exploratory: the reason this claim may be reported "unsupported" instead of "failed" (``None``: a theorem
            check, which passes or fails).
    """

    id: str
    title: str
    statement: str | Callable[[Any], str]
    source: str
    docs: str
    verification: str
    assumptions: tuple[str, ...]
    configs: Mapping[str, Any]
    measure: Callable[[Any, Context], dict]
    judge: Callable[[Any, dict], Sequence[Check]]
    summarize: Callable[[Any, dict], str] | None = None
    plot: Callable[[ClaimResult, Mapping[str, ClaimResult]], list] | None = None
    uses: tuple[str, ...] = ()
    symbolic: Callable[[], str] | None = None
    requires: tuple[str, ...] = ()
    exploratory: str | None = None

    def __post_init__(self) -> None:
        missing = [s for s in SCALES if s not in self.configs]
        if missing:
            raise ValueError(f"claim {self.id!r}: configs needs one entry per scale; missing {missing}")
        for scale in SCALES:
            _config_dict(self.configs[scale])
            if not callable(self.statement):  # a template naming an unknown field fails at declaration; a callable
                self.render_statement(scale)  # is rendered on demand (it may build specs: ``--list`` must not)
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "uses", tuple(self.uses))

    def config(self, scale: str = "small") -> Any:
        """The frozen config at ``scale``."""
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
        return self.configs[scale]

    def render_statement(self, scale: str = "small") -> str:
        """The statement with the config's values filled in."""
        cfg = self.config(scale)
        if callable(self.statement):
            return self.statement(cfg)
        return self.statement.format_map(_config_dict(cfg))

    def run(self, ctx: Context | None = None) -> ClaimResult:
        """Measure, judge and summarise at ``ctx.scale``; an exception becomes a failed result with its traceback."""
        ctx = ctx or Context()
        cfg = self.config(ctx.scale)
        base = dict(claim_id=self.id, config=_config_dict(cfg), scale=ctx.scale, exploratory=self.exploratory)
        if "cuda" in self.requires and ctx.device.type != "cuda":
            return ClaimResult(**base, skip_reason="needs a CUDA device (run with --device cuda on a GPU machine)")
        reads = ctx.memo.setdefault("__reads__", [])
        n_reads = len(reads)
        t0 = time.perf_counter()
        data: dict = {}
        try:
            data = self.measure(cfg, ctx)
            if not isinstance(data, dict):
                raise TypeError(f"measure must return a dict, got {type(data).__name__}")
            checks = tuple(self.judge(cfg, data))
            if not checks or not all(isinstance(c, Check) for c in checks):
                raise TypeError("judge must return a non-empty list of Check")
            summary = self.summarize(cfg, data) if self.summarize is not None else _default_summary(checks)
        except Exception as exc:  # noqa: BLE001 - reported with its traceback, never swallowed silently
            return ClaimResult(**base, data=data, summary=f"error: {type(exc).__name__}: {exc}",
                               error=traceback.format_exc(), wall_time=time.perf_counter() - t0)
        shared = sum(s for _, s in reads[n_reads:])
        return ClaimResult(**base, checks=checks, data=data, summary=summary, wall_time=time.perf_counter() - t0,
                           shared_time=shared)


def _default_summary(checks: Sequence[Check]) -> str:
    held = sum(c.holds for c in checks)
    return f"{held} of {len(checks)} checks hold"


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim to the registry (ids are unique); returns it."""
    if not isinstance(claim, Claim):
        raise TypeError(f"register takes a Claim, got {type(claim).__name__}")
    if claim.id in REGISTRY:
        raise ValueError(f"claim id {claim.id!r} is already registered")
    REGISTRY[claim.id] = claim
    return claim


def get_claim(claim_id: str) -> Claim:
    """The registered claim with this id (``ValueError`` listing the known ids otherwise)."""
    try:
        return REGISTRY[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim id {claim_id!r}; known: {', '.join(sorted(REGISTRY))}") from None


def all_claims() -> list[Claim]:
    """Every registered claim, in report order."""
    return list(REGISTRY.values())
