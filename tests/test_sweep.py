"""The sweep runner: identical numbers on every executor, resumable through its disk cache."""

import pytest

from theorycheck.claims.dense import width_point
from theorycheck.sweep import SerialExecutor, Sweep, make_executor

POINTS = [dict(name="relu", width=w, seed=s, input_seed=0, n=6, d=4, device="cpu") for w in (32, 64) for s in (1, 2)]


def _serial_rows():
    return Sweep(width_point, POINTS, name="t").run(SerialExecutor())


def test_processes_give_bit_identical_results():
    with make_executor("processes", max_workers=2) as ex:
        rows = Sweep(width_point, POINTS, name="t").run(ex)
    assert rows == _serial_rows()


def test_dask_local_cluster_gives_bit_identical_results():
    distributed = pytest.importorskip("distributed")
    cluster_kw = dict(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.LocalCluster(**cluster_kw) as cluster, distributed.Client(cluster) as client:
        rows = Sweep(width_point, POINTS, name="t").run(make_executor("dask", client=client))
        with make_executor("dask", scheduler=cluster.scheduler_address) as ex:  # connects (and closes) its client
            rows_addr = Sweep(width_point, POINTS[:1], name="t").run(ex)
    assert rows == _serial_rows()
    assert rows_addr == _serial_rows()[:1]


def _explode(**params):
    raise RuntimeError("a cached point must not be recomputed")


_CALLS = []


def _flaky(x, fail_from):
    _CALLS.append(x)
    if x >= fail_from:
        raise KeyboardInterrupt("interrupted")
    return x * x


def test_resumes_from_the_disk_cache(tmp_path):
    grid = {"x": [0, 1, 2, 3], "fail_from": [2]}
    with pytest.raises(KeyboardInterrupt):
        Sweep(_flaky, grid, name="resume", cache_dir=tmp_path).run()
    assert _CALLS == [0, 1, 2]
    _CALLS.clear()
    rows = Sweep(_flaky, [dict(x=x, fail_from=9) for x in range(4)], name="resume", cache_dir=tmp_path).run()
    assert [r["result"] for r in rows] == [0, 1, 4, 9]
    # same parameters as the finished points of the first run are read back, not recomputed
    hit = Sweep(_explode, [dict(x=0, fail_from=9)], name="resume", cache_dir=tmp_path)
    hit.fn = _flaky  # the key includes the function; reuse the first run's key
    assert hit.run()[0]["result"] == 0


def test_cache_key_changes_with_parameters_and_progress_is_reported(tmp_path):
    s = Sweep(_flaky, {"x": [1, 2], "fail_from": [9]}, name="k", cache_dir=tmp_path)
    assert s.key({"x": 1, "fail_from": 9}) != s.key({"x": 2, "fail_from": 9})
    seen = []
    s.run(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="executor must be one of"):
        make_executor("gpu")
    with pytest.raises(ValueError, match="needs scheduler"):
        make_executor("dask")
    with pytest.raises(ValueError, match="at least one point"):
        Sweep(_flaky, [])
    with pytest.raises(TypeError, match="fn must be callable"):
        Sweep(3, {"x": [1]})
