"""Progress of a ``theorycheck verify`` run, as a person sees it.

* On a terminal: a live rich table (one row per finished claim) with one progress bar per running sweep.
* Anywhere else (CI logs, ``| tee``, a file): plain lines, flushed at once — each claim's start, its end with the
  verdict and the time, and sweep points done at every ~10 % or every ~10 s, whichever comes first.

Both end with the same results table: one row per claim ("k of n checks hold", verdict, own + shared time), and the
sub-checks of every claim that did not pass.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

__all__ = ["make_progress", "LineProgress", "LiveProgress", "results_table", "format_number", "time_text"]

COLOURS = {"passed": "green", "failed": "red", "skipped": "yellow", "unsupported": "yellow"}


def format_number(x: Any) -> str:
    """A number in 4 significant digits (scientific outside [1e-3, 1e4)); ``—`` for None/NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4 or math.isinf(x):
        return f"{x:.4g}"
    return f"{x:.3e}"


def time_text(timing: dict | None, result: Any) -> str:
    """``"1.2 s"`` or ``"0.1 s + 14.2 s shared"``: the claim's own time and the time of the shared measurement it
    reads (computed once per run)."""
    own = timing["own"] if timing else result.wall_time
    shared = timing["shared"] if timing else result.shared_time
    return f"{own:.1f} s + {shared:.1f} s shared" if shared > 0 else f"{own:.1f} s"


def _checks_text(result: Any) -> str:
    if result.status == "skipped":
        return "—"
    if not result.checks:
        return "error"
    return f"{result.n_holding} of {len(result.checks)}"


def results_table(pairs: list, timings: dict, title: str):
    """The rich table: one row per claim, then one row per sub-check of each claim that did not pass."""
    from rich.table import Table

    table = Table(title=title)
    for col in ("claim", "checks hold", "verdict", "time", "summary"):
        table.add_column(col, overflow="fold")
    for claim, res in pairs:
        table.add_row(claim.id, _checks_text(res), f"[{COLOURS[res.status]}]{res.status}[/]",
                      time_text(timings.get(claim.id), res), res.summary)
        if res.status in ("failed", "unsupported"):
            for c in res.checks:
                mark = "[green]holds[/]" if c.holds else "[red]fails[/]"
                table.add_row(f"  └ {c.name}", mark, "", "",
                              f"{format_number(c.value)} {c.relation} {format_number(c.bound)} "
                              f"(margin {format_number(c.margin)}): {c.meaning}")
        if res.status == "skipped":
            table.add_row("  └ skipped", "", "", "", res.skip_reason)
        if res.error:
            table.add_row("  └ error", "", "", "", res.error.strip().splitlines()[-1])
    return table


def _title(info: dict) -> str:
    workers = f", {info['workers']} workers" if info.get('executor') == 'processes' else ''
    return (f"theorycheck verify (scale={info['scale']}, seed={info['seed']}, device={info['device']}, "
            f"executor={info['executor']}{workers}, {info['threads']} torch thread(s))")


class LineProgress:
    """Plain progress lines for a stream that is not a terminal."""

    def __init__(self, stream: TextIO, claims: list, info: dict, *, every_s: float = 10.0,
                 clock=time.monotonic) -> None:
        self.stream, self.info, self.every_s, self.clock = stream, info, every_s, clock
        self.n = len(claims)
        self.i = 0
        self._last: dict[str, tuple[float, int, int]] = {}  # label -> (time, decile, points done) of its last line
        self._start: dict[str, float] = {}

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def __enter__(self) -> LineProgress:
        self._print(_title(self.info) + f": {self.n} claim(s)")
        return self

    def __exit__(self, *exc) -> None:
        return None

    def claim_started(self, claim: Any) -> None:
        self.i += 1
        self._print(f"[{self.i}/{self.n}] {claim.id}: started")

    def tick(self, label: str, done: int, total: int) -> None:
        now = self.clock()
        decile = (10 * done) // max(total, 1)
        if label not in self._last or done < self._last[label][2]:  # a sweep starts (cached points already done)
            self._start[label] = now
            self._last[label] = (now, decile, done)
            self._print(f"      {label}: {done}/{total} points" + (" (from the cache)" if done else ""))
            return
        last_t, last_dec, _ = self._last[label]
        if done == total or decile > last_dec or now - last_t >= self.every_s:
            self._last[label] = (now, decile, done)
            self._print(f"      {label}: {done}/{total} points ({100 * done // max(total, 1)}%), "
                        f"{now - self._start[label]:.0f} s")

    def claim_finished(self, claim: Any, result: Any, timing: dict) -> None:
        self._print(f"[{self.i}/{self.n}] {claim.id}: {result.status} ({_checks_text(result)} checks hold) in "
                    f"{time_text(timing, result)}")

    def final_table(self, pairs: list, timings: dict) -> None:
        from rich.console import Console

        console = Console(file=self.stream, width=160, force_terminal=False, no_color=True)
        console.print(results_table(pairs, timings, _title(self.info)))


class LiveProgress:
    """A live rich table with a progress bar per sweep, for a terminal."""

    def __init__(self, stream: TextIO, claims: list, info: dict) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream)
        self.info = info
        self.pairs: list = []
        self.timings: dict = {}
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console)
        self.overall = self.progress.add_task("claims", total=len(claims))
        self.tasks: dict[str, int] = {}
        self.live = None

    def _group(self):
        from rich.console import Group

        return Group(results_table(self.pairs, self.timings, _title(self.info)), self.progress)

    def __enter__(self) -> LiveProgress:
        from rich.live import Live

        self.live = Live(self._group(), console=self.console, transient=True)
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def claim_started(self, claim: Any) -> None:
        self.progress.update(self.overall, description=f"claims: {claim.id}")

    def tick(self, label: str, done: int, total: int) -> None:
        if label not in self.tasks:
            self.tasks[label] = self.progress.add_task(f"  {label}", total=total)
        self.progress.update(self.tasks[label], completed=done, total=total, visible=done < total)

    def claim_finished(self, claim: Any, result: Any, timing: dict) -> None:
        self.pairs.append((claim, result))
        self.timings[claim.id] = timing
        self.progress.advance(self.overall)
        self.live.update(self._group())

    def final_table(self, pairs: list, timings: dict) -> None:
        self.console.print(results_table(pairs, timings, _title(self.info)))


def make_progress(stream: TextIO | None, claims: list, info: dict) -> LineProgress | LiveProgress:
    """:class:`LiveProgress` when ``stream`` is a terminal, :class:`LineProgress` otherwise."""
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", lambda: False)()
    return LiveProgress(stream, claims, info) if isatty else LineProgress(stream, claims, info)
