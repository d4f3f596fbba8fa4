"""Command line: ``theorycheck verify`` (also ``python -m theorycheck verify``).

Runs the registered claims, shows progress (a live table on a terminal, plain progress lines otherwise), writes
``report.md``/``report.html``/``results.json``/CSV/PNGs and exits with

* 0: every claim passed, or is unsupported (exploratory) or skipped;
* 1: a claim failed;
* 2: a usage error (one line on stderr; nothing was computed);
* 130: interrupted (Ctrl-C); finished sweep points are kept in ``--cache DIR`` when one is given.

Only ``argparse`` is imported before the arguments are parsed: ``--help`` never imports torch; ``--list`` imports the
claim registry (and so torch) but runs nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "select_claims", "UsageError"]

#: mirrors theorycheck.claims.base.SCALES and theorycheck.sweep.EXECUTORS (kept literal so --help stays cheap;
#: tests/report/test_cli.py checks they agree)
SCALES = ("small", "paper")
EXECUTORS = ("auto", "serial", "processes", "dask")
MAX_SEED = 2**63 - 1


class UsageError(Exception):
    """A bad command line: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message (argparse's default)
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="theorycheck", description="Check deep-learning theory claims numerically.")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run registered claims and write a report",
                       description="Run registered claims and write a report (exit 0: no claim failed; 1: a claim "
                                   "failed; 2: usage error; 130: interrupted).")
    v.add_argument("--claim", action="append", default=None, metavar="ID",
                   help="run only these claims (repeatable); whole id segments match: 'dense' or 'dense.' selects "
                        "the family, 'dense.ntk_rate' both of its variants")
    v.add_argument("--scale", choices=SCALES, default="small", help="small: CPU-sized default; paper: source sizes")
    v.add_argument("--device", default="cpu", help="torch device for simulations (cpu, cuda, cuda:1, ...)")
    v.add_argument("--seed", type=int, default=0, help=f"base seed, 0 … {MAX_SEED} (default 0)")
    v.add_argument("--out", default="report", help="output directory (default ./report)")
    v.add_argument("--list", action="store_true", help="list the (selected) claims and exit")
    v.add_argument("--threads", type=int, default=None,
                   help="torch threads of this process (default: torch's); sweep points always run on 1 thread")
    v.add_argument("--executor", choices=EXECUTORS, default="auto",
                   help="where sweep points run: serial (this process), processes (local pool), dask; auto "
                        "(default): a pool with one worker per core, serial on 1–2 cores")
    v.add_argument("--scheduler", default=None, help="Dask scheduler address for --executor dask (tcp://host:port)")
    v.add_argument("--workers", type=int, default=None, help="local worker processes (default: one per core)")
    v.add_argument("--cache", default=None, metavar="DIR",
                   help="cache finished sweep points in DIR, so an interrupted run resumes where it stopped")
    return p


# ------------------------------------------------------------------------------------------------ validation
def select_claims(selectors: Sequence[str] | None, ids: Sequence[str]) -> list[str]:
    """The ids matched by ``selectors``, in registry order.

    A selector matches an id equal to it or any id that starts with it followed by ``"."`` (one trailing dot is
    ignored): ``dense`` and ``dense.`` select the family, ``dense.ntk_rate`` its variants; ``dens`` selects nothing.

    Raises:
        UsageError: an empty selector, or one that matches no claim (with the close matches).
    """
    if not selectors:
        return list(ids)
    groups = sorted({".".join(cid.split(".")[:k]) for cid in ids for k in range(1, cid.count(".") + 1)})
    chosen: set[str] = set()
    for raw in selectors:
        key = raw.strip()
        key = key[:-1] if key.endswith(".") else key
        if not key:
            raise UsageError(f"--claim needs a claim id or family such as {ids[0]!r} or "
                             f"{ids[0].split('.')[0]!r}, got {raw!r}" if ids else "--claim: no claims are registered")
        matched = [cid for cid in ids if cid == key or cid.startswith(key + ".")]
        if not matched:
            close = difflib.get_close_matches(key, list(groups) + list(ids), n=5, cutoff=0.5)
            hint = f"close matches: {', '.join(close)}" if close else \
                f"families: {', '.join(g for g in groups if '.' not in g)}"
            raise UsageError(f"--claim {raw!r} matches no claim; {hint} ('theorycheck verify --list' lists all)")
        chosen.update(matched)
    return [cid for cid in ids if cid in chosen]


def _writable_dir(flag: str, path: str) -> Path:
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = p / f".theorycheck-probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"{flag} {path!r} cannot be used as a writable directory: {exc.strerror or exc}") from None
    return p


def _check(name: str, value, **kw) -> int:
    from .._validation import check_int

    try:
        return check_int(name, value, **kw)
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def _device(text: str):
    import torch

    from .._validation import resolve_device

    try:
        device = resolve_device(text)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--device: {exc}") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise UsageError(f"--device {text!r}: CUDA is not available on this machine (use --device cpu)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise UsageError(f"--device {text!r}: this machine has {torch.cuda.device_count()} CUDA device(s)")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise UsageError(f"--device {text!r}: MPS is not available on this machine")
    return device


# ------------------------------------------------------------------------------------------------ main
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        print(f"theorycheck: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return _verify(args)
    except UsageError as exc:
        print(f"theorycheck verify: error: {exc}", file=sys.stderr)
        return 2


def _verify(args: argparse.Namespace) -> int:
    _check("--seed", args.seed, minimum=0, maximum=MAX_SEED)
    if args.threads is not None:
        _check("--threads", args.threads, minimum=1, maximum=4096)
    if args.workers is not None:
        _check("--workers", args.workers, minimum=1, maximum=4096)
    if args.executor == "dask" and not args.scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://host:port")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler is only used with --executor dask")

    from ..claims import REGISTRY  # imports the claim modules (and torch)

    ids = select_claims(args.claim, list(REGISTRY))
    if args.list:
        for cid in ids:
            c = REGISTRY[cid]
            print(f"{cid:34s} {c.title}  ({c.source})")
        return 0
    device = _device(args.device)
    out = _writable_dir("--out", args.out)
    if args.cache is not None:
        _writable_dir("--cache", args.cache)
    return _run([REGISTRY[cid] for cid in ids], args, device, out)


def _executor_choice(args: argparse.Namespace) -> tuple[str, int | None]:
    from ..sweep import available_cores, default_executor

    if args.executor == "auto":
        if args.workers is not None:
            return "processes", args.workers
        return default_executor()
    if args.executor == "processes":
        return "processes", args.workers or available_cores()
    return args.executor, None


def _run(claims: list, args: argparse.Namespace, device, out: Path) -> int:
    import torch

    from ..claims import Context
    from ..sweep import available_cores, make_executor, stop_executor
    from .progress import make_progress

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    kind, workers = _executor_choice(args)
    try:
        executor = make_executor(kind, max_workers=workers, scheduler=args.scheduler)
    except (ValueError, OSError) as exc:
        raise UsageError(f"--executor {kind}: {exc}") from None
    run_info = {
        "scale": args.scale, "seed": args.seed, "device": str(device), "executor": kind,
        "workers": workers if kind == "processes" else (1 if kind == "serial" else None),
        "threads": torch.get_num_threads(), "threads_per_point": 1, "cores": available_cores(),
        "torch": torch.__version__, "cache": args.cache,
    }
    progress = make_progress(sys.stdout, claims, run_info)
    memo = _ReadLog()
    ctx = Context(scale=args.scale, seed=args.seed, device=device, progress=progress.tick, executor=executor,
                  cache_dir=args.cache, memo=memo)
    pairs: list = []
    timings: dict[str, dict] = {}
    interrupted = False
    try:
        with progress, _cache_warnings_reported(run_info.setdefault("cache_warnings", [])):
            for claim in claims:
                progress.claim_started(claim)
                before = set(memo)
                memo.log.clear()
                result = claim.run(ctx)
                computed = sum(dict.__getitem__(memo, k)[1] for k in set(memo) - before if k != "__reads__")
                timings[claim.id] = {"own": max(0.0, result.wall_time - computed), "shared": result.shared_time,
                                     "shared_reads": sorted({repr(k) for k in memo.log})}
                pairs.append((claim, result))
                progress.claim_finished(claim, result, timings[claim.id])
    except KeyboardInterrupt:
        interrupted = True
    finally:
        try:
            stop_executor(executor) if interrupted else executor.shutdown()
        except KeyboardInterrupt:  # a second Ctrl-C while the workers end
            pass
    if interrupted:
        where = (f"finished sweep points are kept in {args.cache}; rerun the same command to resume"
                 if args.cache else "rerun with --cache DIR to keep finished sweep points and resume next time")
        print(f"theorycheck: interrupted after {len(pairs)} of {len(claims)} claims; {where}", file=sys.stderr)
        return 130

    _mark_sharing(timings)
    progress.final_table(pairs, timings)
    from .writer import write_report

    md = write_report(pairs, out, scale=args.scale, seed=args.seed, device=str(device), run_info=run_info,
                      timings=timings)
    print(f"report written to {md} and {md.with_suffix('.html')}")
    failed = [c.id for c, r in pairs if r.status == "failed"]
    if failed:
        print(f"{len(failed)} claim(s) failed: {', '.join(failed)}")
        return 1
    return 0


@contextlib.contextmanager
def _cache_warnings_reported(seen: list[str]):
    """Print each damaged-cache warning as one line on stderr (and collect it for the report)."""
    from ..sweep import CacheWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", CacheWarning)
        default = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, CacheWarning):
                seen.append(str(message))
                print(f"theorycheck: warning: {message}", file=sys.stderr, flush=True)
            else:
                default(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


class _ReadLog(dict):
    """The run's memo of shared measurements (:meth:`Context.shared`), logging which entries a claim reads."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list = []

    def __getitem__(self, key):
        if key != "__reads__":
            self.log.append(key)
        return super().__getitem__(key)


def _mark_sharing(timings: dict[str, dict]) -> None:
    """Add to each timing the other claims that read the same shared measurement."""
    readers: dict[str, list[str]] = {}
    for cid, t in timings.items():
        for name in t["shared_reads"]:
            readers.setdefault(name, []).append(cid)
    for cid, t in timings.items():
        t["shared_with"] = sorted({o for name in t["shared_reads"] for o in readers[name] if o != cid})


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

