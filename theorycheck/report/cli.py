"""Command line: ``theorycheck verify`` (also ``python -m theorycheck verify``).

Runs the registered claims, shows progress and a table (rich), writes ``report.md``/``results.json``/PNGs and exits
non-zero if any claim fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import torch

from ..claims import REGISTRY, SCALES, Context, get_claim
from ..sweep import EXECUTORS, make_executor
from .writer import format_number, write_report

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="theorycheck", description="Check deep-learning theory claims numerically.")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run registered claims and write a report")
    v.add_argument("--claim", action="append", default=None, metavar="ID",
                   help="run only this claim (repeatable; a prefix such as 'dense.' selects a family)")
    v.add_argument("--scale", choices=SCALES, default="small", help="small: CPU-sized default; paper: source sizes")
    v.add_argument("--device", default="cpu", help="torch device for simulations (cpu, cuda, cuda:1, ...)")
    v.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    v.add_argument("--out", default="report", help="output directory (default ./report)")
    v.add_argument("--list", action="store_true", help="list the claims and exit")
    v.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    v.add_argument("--executor", choices=EXECUTORS, default="processes",
                   help="where sweep points run: serial (this process), processes (local pool, default) or dask")
    v.add_argument("--scheduler", default=None, help="Dask scheduler address for --executor dask (tcp://host:port)")
    v.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    v.add_argument("--cache", default=None, metavar="DIR",
                   help="cache finished sweep points in DIR, so an interrupted run resumes where it stopped")
    return p


def _select(ids: list[str] | None):
    if not ids:
        return list(REGISTRY.values())
    chosen = []
    for ident in ids:
        if ident in REGISTRY:
            chosen.append(REGISTRY[ident])
            continue
        family = [c for cid, c in REGISTRY.items() if cid.startswith(ident)]
        if not family:
            get_claim(ident)  # raises with the list of known ids
        chosen += family
    return list(dict.fromkeys(chosen))


def main(argv: Sequence[str] | None = None) -> int:
    from rich.console import Console, Group
    from rich.live import Live
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    args = _parser().parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=160)
    try:
        claims = _select(args.claim)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    if args.list:
        for c in claims:
            console.print(f"{c.id:32s} {c.title}  [dim]({c.source})[/dim]")
        return 0
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        console.print("[red]--device cuda requested but CUDA is not available[/red]")
        return 2

    try:
        executor = make_executor(args.executor, max_workers=args.workers, scheduler=args.scheduler)
    except (ValueError, OSError) as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    colours = {"passed": "green", "failed": "red", "skipped": "yellow", "unsupported": "yellow"}

    def results_table(pairs) -> Table:
        table = Table(title=f"theorycheck verify (scale={args.scale}, seed={args.seed}, device={device}, "
                            f"executor={args.executor})")
        for col in ("claim", "source", "measured", "bound", "margin", "verdict", "time (s)"):
            table.add_column(col, overflow="fold")
        for claim, res in pairs:
            bound = f"{res.relation} {format_number(res.bound)}"
            table.add_row(claim.id, claim.source.split(";")[0][:48], format_number(res.measured), bound,
                          format_number(res.margin), f"[{colours[res.status]}]{res.status}[/]",
                          f"{res.wall_time:.1f}")
        return table

    pairs: list = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console)
    overall = progress.add_task("claims", total=len(claims))
    tasks: dict[str, int] = {}

    def tick(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(f"  {label}", total=total)
        progress.update(tasks[label], completed=done, total=total, visible=done < total)

    ctx = Context(scale=args.scale, seed=args.seed, device=device, progress=tick, executor=executor,
                  cache_dir=args.cache)
    try:
        with Live(Group(results_table(pairs), progress), console=console, transient=True,
                  auto_refresh=sys.stdout.isatty()) as live:
            for claim in claims:
                progress.update(overall, description=f"claims: {claim.id}")
                pairs.append((claim, claim.run(ctx)))
                progress.advance(overall)
                live.update(Group(results_table(pairs), progress))
    finally:
        executor.shutdown()
    table = results_table(pairs)
    console.print(table)
    for claim, res in pairs:
        console.print(f"[bold]{claim.id}[/bold]: {res.summary}")
    md = write_report(pairs, args.out, scale=args.scale, seed=args.seed, device=str(device))
    console.print(f"report written to {md} and {md.with_suffix('.html')}")
    failed = [c.id for c, r in pairs if r.status == "failed"]
    if failed:
        console.print(f"[red]{len(failed)} claim(s) failed: {', '.join(failed)}[/red]")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
