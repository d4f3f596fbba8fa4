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
* **Resumable:** with ``cache_dir`` each finished point is written to ``cache_dir/<name>/<key>.json``, keyed by a
  hash of the sweep name, the function and the parameters; an interrupted sweep picks up where it stopped.
* ``progress(done, total)`` is called as points finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import torch

__all__ = ["Sweep", "SerialExecutor", "make_executor", "EXECUTORS"]

EXECUTORS = ("serial", "processes", "dask")


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


def make_executor(kind: str = "serial", *, max_workers: int | None = None, scheduler: str | None = None,
                  client: Any = None) -> cf.Executor:
    """``"serial"``, ``"processes"`` (a forkserver ``ProcessPoolExecutor``, one worker per core) or ``"dask"``
    (``client.get_executor()`` of a ``distributed.Client`` given or connected to ``scheduler``)."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        import multiprocessing as mp

        workers = max_workers or os.cpu_count() or 1
        # no initializer: every point sets its own torch thread count (_run_point)
        return cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("forkserver"))
    if kind == "dask":
        if client is not None:
            return client.get_executor()
        if scheduler is None:
            raise ValueError("executor 'dask' needs scheduler='tcp://host:port' or a distributed.Client")
        from distributed import Client

        return _OwnedClientExecutor(Client(scheduler))
    raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")


def _run_point(fn: Callable[..., Any], params: dict, threads: int) -> Any:
    """Execute one point with a fixed number of torch threads (restored afterwards)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return fn(**params)
    finally:
        torch.set_num_threads(before)


class Sweep:
    """A grid of parameter points evaluated by ``fn``; see the module docstring."""

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

    def key(self, params: Mapping[str, Any]) -> str:
        payload = json.dumps({"sweep": self.name, "fn": f"{self.fn.__module__}.{self.fn.__qualname__}",
                              "params": params}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:24]

    def _cached(self, params: Mapping[str, Any]) -> tuple[bool, Any]:
        if self.cache_dir is None:
            return False, None
        path = self.cache_dir / f"{self.key(params)}.json"
        if not path.exists():
            return False, None
        return True, json.loads(path.read_text())["result"]

    def _store(self, params: Mapping[str, Any], result: Any) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_dir / f"{self.key(params)}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"params": params, "result": result}, default=float))
        tmp.replace(path)  # atomic: a killed run never leaves a half-written point

    def run(self, executor: cf.Executor | None = None,
            progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
        """Evaluate every point (cached ones are read back) and return ``[{**params, "result": value}, …]``."""
        executor = executor or SerialExecutor()
        results: list[Any] = [None] * len(self.points)
        todo: list[int] = []
        for i, params in enumerate(self.points):
            hit, value = self._cached(params)
            if hit:
                results[i] = value
            else:
                todo.append(i)
        done = len(self.points) - len(todo)
        if progress is not None:
            progress(done, len(self.points))

        def finish(i: int, value: Any) -> None:
            nonlocal done
            results[i] = value
            self._store(self.points[i], value)  # stored at once: an interruption keeps every finished point
            done += 1
            if progress is not None:
                progress(done, len(self.points))

        if isinstance(executor, SerialExecutor):  # one point at a time, in order
            for i in todo:
                finish(i, _run_point(self.fn, self.points[i], self.threads))
        else:
            pending = {executor.submit(_run_point, self.fn, self.points[i], self.threads): i for i in todo}
            error: BaseException | None = None
            for fut in cf.as_completed(pending):
                try:
                    finish(pending[fut], fut.result())
                except Exception as exc:  # noqa: BLE001 - keep storing the other finished points, then raise
                    error = error or exc
            if error is not None:
                raise error
        return [{**p, "result": r} for p, r in zip(self.points, results)]
