"""One sweep runner for width × pruning × seed grids, on any ``concurrent.futures.Executor``.

::

    from theorycheck.sweep import Sweep, make_executor
    sweep = Sweep(point_fn, grid={"width": [256, 1024], "p": [0.0, 0.5], "seed": [1, 2]}, name="demo",
                  cache_dir=".theorycheck-cache")
    with make_executor("processes") as ex:          # or "serial", or make_executor("dask", scheduler="tcp://…")
        rows = sweep.run(ex)                          # one dict per grid point, in grid order

* ``point_fn(**params)`` must be a module-level function (picklable) returning a JSON-serialisable value.
* **Same numbers on every executor:** each point runs with exactly ``threads`` torch threads (default 1) and takes
  all its randomness from its parameters (a ``seed`` entry), so serial, process-pool and Dask runs agree bit for bit.
* **Resumable, never stale:** with ``cache_dir`` each finished point is written at once to
  ``cache_dir/<name>/<key>.json``. The key hashes the sweep name, the function, the parameters *and the code*
  (:func:`code_fingerprint`: the package version and a content hash of theorycheck's sources and of the point
  function's module), so a changed point function never reuses old results. Each entry carries a SHA-256 checksum of
  its content; a damaged entry (truncated, emptied, edited) is recomputed and reported with a :class:`CacheWarning`
  naming the file. Cached and freshly computed rows are identical (both pass through the same JSON round trip).
* **Interruptible:** Ctrl-C (``KeyboardInterrupt``) cancels the points not started, keeps every finished one (in the
  cache when there is one) and raises :class:`SweepInterrupted`; :func:`stop_executor` then ends the workers.
* ``progress(done, total)`` is called as points finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import importlib.metadata
import inspect
import itertools
import json
import marshal
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["Sweep", "SerialExecutor", "make_executor", "stop_executor", "default_executor", "available_cores",
           "code_fingerprint", "CacheWarning", "SweepInterrupted", "EXECUTORS"]

EXECUTORS = ("serial", "processes", "dask")


class CacheWarning(UserWarning):
    """A cache entry could not be used (damaged or unreadable): the point is recomputed."""


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by ``KeyboardInterrupt``; ``done`` of ``total`` points are finished (and cached when
    ``cache_dir`` is set)."""

    def __init__(self, done: int, total: int, cache_dir: Path | None) -> None:
        super().__init__(f"sweep interrupted after {done} of {total} points")
        self.done, self.total, self.cache_dir = done, total, cache_dir


def available_cores() -> int:
    """CPU cores this process may run on (``os.sched_getaffinity``; ``os.cpu_count`` where that is missing)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def default_executor(cores: int | None = None) -> tuple[str, int]:
    """The executor a machine should use by default: ``("serial", 1)`` on 1–2 cores (a process pool's start-up and
    per-worker torch import cost more than the second worker gains there), else ``("processes", cores)``."""
    cores = available_cores() if cores is None else cores
    return ("serial", 1) if cores <= 2 else ("processes", cores)


class SerialExecutor(cf.Executor):
    """Runs each submitted call immediately in this process (the in-process reference executor)."""

    def submit(self, fn, /, *args, **kwargs):
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future
            fut.set_exception(exc)
        return fut


class _OwnedClientExecutor(cf.Executor):
    """A Dask client's executor that also closes the client it was created for on shutdown."""

    def __init__(self, client: Any) -> None:
        self._client, self._inner = client, client.get_executor()

    def submit(self, fn, /, *args, **kwargs):
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait)
        self._client.close()


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is handled by the parent (which cancels and ends the workers), so a worker never
    prints its own ``KeyboardInterrupt`` traceback nor drops the point it is computing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def make_executor(kind: str = "serial", *, max_workers: int | None = None, scheduler: str | None = None,
                  client: Any = None) -> cf.Executor:
    """``"serial"``, ``"processes"`` (a forkserver ``ProcessPoolExecutor``, one worker per available core by
    default) or ``"dask"`` (``client.get_executor()`` of a ``distributed.Client`` given or connected to
    ``scheduler``).

    Raises:
        ValueError: unknown ``kind``, ``max_workers`` < 1, or ``"dask"`` without a scheduler or client.
    """
    if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)
                                    or max_workers < 1):
        raise ValueError(f"max_workers must be an integer ≥ 1, got {max_workers!r}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        import multiprocessing as mp

        workers = max_workers or available_cores()
        # every point sets its own torch thread count (_run_point); the initializer only leaves Ctrl-C to the parent
        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("forkserver"),
                                      initializer=_ignore_sigint)
    if kind == "dask":
        if client is not None:
            return client.get_executor()
        if scheduler is None:
            raise ValueError("executor 'dask' needs scheduler='tcp://host:port' or a distributed.Client")
        from distributed import Client

        return _OwnedClientExecutor(Client(scheduler))
    raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")


def stop_executor(executor: cf.Executor) -> None:
    """Shut ``executor`` down now: cancel queued calls and end running workers (a process pool's are terminated;
    running calls are lost, finished ones were already kept)."""
    if isinstance(executor, cf.ProcessPoolExecutor):
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for proc in processes:  # ProcessPoolExecutor has no public way to end busy workers before Python 3.14
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
        return
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # executors without cancel_futures
        executor.shutdown(wait=False)


def _run_point(fn: Callable[..., Any], params: dict, threads: int) -> Any:
    """Execute one point with a fixed number of torch threads (restored afterwards)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn(**params)
    finally:
        torch.set_num_threads(before)


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """SHA-256 over theorycheck's own Python sources (paths and contents), and its installed version."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    try:
        h.update(importlib.metadata.version("theorycheck").encode())
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        h.update(b"unversioned")
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=256)
def code_fingerprint(fn: Callable[..., Any]) -> str:
    """A hash of the code that computes a point: theorycheck's version and sources, and (for a function defined
    outside theorycheck) the source file of its module, else its own source, else its byte code.

    Any edit to theorycheck or to the point function's module therefore gives new cache keys: a cache never hands
    back a result computed by other code.
    """
    h = hashlib.sha256(_package_digest().encode())
    module = sys.modules.get(getattr(fn, "__module__", "") or "")
    text: bytes | None = None
    try:
        src = inspect.getsourcefile(module) if module is not None else None
        if src and Path(src).is_file():
            text = Path(src).read_bytes()
    except TypeError:  # built-in module
        text = None
    if text is None:
        try:
            text = inspect.getsource(fn).encode()
        except (OSError, TypeError):
            code = getattr(fn, "__code__", None)
            text = marshal.dumps(code) if code is not None else repr(fn).encode()
    h.update(text)
    return h.hexdigest()[:32]


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, default=float, allow_nan=True)


class Sweep:
    """A grid of parameter points evaluated by ``fn``; see the module docstring.

    Args:
        fn: module-level point function ``fn(**params) -> JSON-serialisable value``.
        grid: ``{name: values}`` (the product is taken) or a list of parameter dicts.
        name: the sweep's name (its cache sub-folder); default ``module.qualname`` of ``fn``.
        cache_dir: folder of the resumable cache (``None``: no cache).
        threads: torch threads per point (default 1: identical numbers on every executor).

    Raises:
        TypeError: ``fn`` is not callable.
        ValueError: the grid is empty.
    """

    def __init__(self, fn: Callable[..., Any], grid: Mapping[str, Iterable] | Iterable[Mapping[str, Any]], *,
                 name: str | None = None, cache_dir: str | os.PathLike | None = None, threads: int = 1) -> None:
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        if isinstance(grid, Mapping):
            keys = list(grid)
            self.points = [dict(zip(keys, values)) for values in itertools.product(*(list(grid[k]) for k in keys))]
        else:
            self.points = [dict(p) for p in grid]
        if not self.points:
            raise ValueError("grid must contain at least one point")
        self.name = name or f"{fn.__module__}.{fn.__qualname__}"
        self.cache_dir = None if cache_dir is None else Path(cache_dir) / self.name
        self.threads = int(threads)
        #: cache files found damaged (and recomputed) by the last :meth:`run`
        self.damaged: list[Path] = []

    def key(self, params: Mapping[str, Any]) -> str:
        """The cache key of one point: a hash of the sweep name, the function, its code and the parameters."""
        payload = json.dumps({"sweep": self.name, "fn": f"{self.fn.__module__}.{self.fn.__qualname__}",
                              "code": code_fingerprint(self.fn), "params": params}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def path(self, params: Mapping[str, Any]) -> Path | None:
        """The cache file of one point (``None`` without a cache)."""
        return None if self.cache_dir is None else self.cache_dir / f"{self.key(params)}.json"

    def _damaged(self, path: Path, why: str) -> None:
        self.damaged.append(path)
        warnings.warn(f"damaged sweep cache entry {path} ({why}); recomputing that point", CacheWarning,
                      stacklevel=3)

    def _cached(self, params: Mapping[str, Any]) -> tuple[bool, Any]:
        path = self.path(params)
        if path is None or not path.exists():
            return False, None
        try:
            entry = json.loads(path.read_text())
            body = entry["body"]
            ok = hashlib.sha256(_canonical(body).encode()).hexdigest() == entry["sha256"]
            same = body["params"] == json.loads(_canonical(dict(params)))
            result = body["result"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self._damaged(path, f"unreadable: {type(exc).__name__}: {exc}")
            return False, None
        if not ok:
            self._damaged(path, "checksum mismatch")
            return False, None
        if not same:
            self._damaged(path, "holds another point's parameters")
            return False, None
        return True, result

    def _store(self, params: Mapping[str, Any], result: Any) -> Any:
        """Write one finished point (atomically) and return its result as read back from the cache."""
        path = self.path(params)
        if path is None:
            return result
        text = _canonical({"params": dict(params), "result": result})
        body = json.loads(text)
        entry = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "body": body}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry))
        tmp.replace(path)  # atomic: a killed run never leaves a half-written point
        return body["result"]

    def check_cache(self) -> None:
        """Raise ``OSError`` naming the folder now if the cache cannot be written (before any point runs)."""
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            probe = self.cache_dir / f".probe.{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise OSError(f"sweep cache {self.cache_dir} is not writable: {exc.strerror or exc}") from None

    def run(self, executor: cf.Executor | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
        """Evaluate every point (cached ones are read back) and return ``[{**params, "result": value}, …]``.

        Raises:
            OSError: the cache folder is not writable (raised before any point runs).
            SweepInterrupted: on ``KeyboardInterrupt``; every finished point is kept (cached when there is a cache)
                and the points not yet started are cancelled.
        """
        executor = executor or SerialExecutor()
        self.damaged = []
        self.check_cache()
        total = len(self.points)
        results: list[Any] = [None] * total
        todo: list[int] = []
        for i, params in enumerate(self.points):
            hit, value = self._cached(params)
            if hit:
                results[i] = value
            else:
                todo.append(i)
        done = total - len(todo)
        if progress is not None:
            progress(done, total)

        def finish(i: int, value: Any) -> None:
            nonlocal done
            results[i] = self._store(self.points[i], value)  # stored at once: an interruption keeps it
            done += 1
            if progress is not None:
                progress(done, total)

        if isinstance(executor, SerialExecutor):  # one point at a time, in order
            try:
                for i in todo:
                    finish(i, _run_point(self.fn, self.points[i], self.threads))
            except KeyboardInterrupt:
                raise SweepInterrupted(done, total, self.cache_dir) from None
            return [{**p, "result": r} for p, r in zip(self.points, results)]

        pending = {executor.submit(_run_point, self.fn, self.points[i], self.threads): i for i in todo}
        handled: set = set()
        error: BaseException | None = None
        try:
            for fut in cf.as_completed(pending):
                handled.add(fut)
                exc = fut.exception()
                if exc is None:
                    finish(pending[fut], fut.result())
                elif isinstance(exc, KeyboardInterrupt):  # a worker that was not started by make_executor
                    raise KeyboardInterrupt
                else:  # keep storing the other finished points, then raise
                    error = error or exc
        except KeyboardInterrupt:
            for fut in pending:
                fut.cancel()
            for fut, i in pending.items():  # keep what finished while we were waiting
                if fut not in handled and fut.done() and not fut.cancelled() and fut.exception() is None:
                    finish(i, fut.result())
            raise SweepInterrupted(done, total, self.cache_dir) from None
        if error is not None:
            raise error
        return [{**p, "result": r} for p, r in zip(self.points, results)]
