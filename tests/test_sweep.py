"""The sweep runner: identical numbers on every executor, a resumable cache that never returns a wrong result."""

import importlib
import json
import sys
import warnings

import pytest

from theorycheck.claims.dense import width_point
from theorycheck.sweep import (
    CacheWarning,
    SerialExecutor,
    Sweep,
    SweepInterrupted,
    code_fingerprint,
    default_executor,
    make_executor,
    stop_executor,
)

POINTS = [dict(name="relu", width=w, seed=s, input_seed=0, n=6, d=4, device="cpu") for w in (32, 64) for s in (1, 2)]


def _serial_rows():
    return Sweep(width_point, POINTS, name="t").run(SerialExecutor())


def test_processes_give_bit_identical_results():
    with make_executor("processes", max_workers=2) as ex:
        rows = Sweep(width_point, POINTS, name="t").run(ex)
    assert rows == _serial_rows()


@pytest.mark.slow
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


def _square(x):
    _CALLS.append(x)
    return {"x": x, "square": x * x, "half": x / 2}


def test_resumes_from_the_disk_cache(tmp_path):
    _CALLS.clear()
    grid = {"x": [0, 1, 2, 3], "fail_from": [2]}
    with pytest.raises(SweepInterrupted) as info:  # a KeyboardInterrupt that says how far it got
        Sweep(_flaky, grid, name="resume", cache_dir=tmp_path).run()
    assert isinstance(info.value, KeyboardInterrupt) and (info.value.done, info.value.total) == (2, 4)
    assert _CALLS == [0, 1, 2]
    _CALLS.clear()
    rows = Sweep(_flaky, [dict(x=x, fail_from=2) for x in range(2)], name="resume", cache_dir=tmp_path).run()
    assert [r["result"] for r in rows] == [0, 1] and _CALLS == []  # read back, not recomputed


def test_cached_and_fresh_rows_are_identical(tmp_path):
    fresh = Sweep(_square, {"x": [1, 2, 3]}, name="same", cache_dir=tmp_path).run()
    _CALLS.clear()
    cached = Sweep(_square, {"x": [1, 2, 3]}, name="same", cache_dir=tmp_path).run()
    assert cached == fresh and _CALLS == []


@pytest.mark.parametrize("damage", ["truncate", "empty", "edit", "garbage"])
def test_a_damaged_entry_is_named_and_recomputed(tmp_path, damage):
    grid = {"x": [1, 2, 3]}
    good = Sweep(_square, grid, name="dmg", cache_dir=tmp_path).run()
    sweep = Sweep(_square, grid, name="dmg", cache_dir=tmp_path)
    path = sweep.path({"x": 2})
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[:10])
    elif damage == "empty":
        path.write_text("")
    elif damage == "edit":  # valid JSON, a wrong number: only the checksum can tell
        path.write_text(text.replace('"square": 4', '"square": 5'))
        assert path.read_text() != text
    else:
        path.write_bytes(b"\xff\xfe\x00garbage")
    _CALLS.clear()
    with pytest.warns(CacheWarning, match=str(path.name)) as record:
        rows = sweep.run()
    assert str(path) in str(record[0].message)
    assert rows == good and _CALLS == [2]  # only the damaged point was recomputed
    assert sweep.damaged == [path]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Sweep(_square, grid, name="dmg", cache_dir=tmp_path).run() == good  # repaired


def test_cache_keys_follow_the_code_of_the_point_function(tmp_path, monkeypatch):
    """After a change to a point function, its old cached results are not reused."""
    module = tmp_path / "tc_point_module.py"
    module.write_text("def point(x):\n    return x + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("tc_point_module")
    try:
        cache = tmp_path / "cache"
        assert Sweep(mod.point, {"x": [1, 2]}, name="code", cache_dir=cache).run()[1]["result"] == 3
        module.write_text("def point(x):\n    return x + 100\n")
        mod = importlib.reload(mod)
        again = Sweep(mod.point, {"x": [1, 2]}, name="code", cache_dir=cache)
        assert [r["result"] for r in again.run()] == [101, 102]  # not the stale 2, 3
        assert len(list((cache / "code").glob("*.json"))) == 4
    finally:
        sys.modules.pop("tc_point_module", None)


def test_code_fingerprint_changes_with_the_source():
    ns1, ns2 = {}, {}
    exec("def f(x):\n    return x\n", ns1)  # noqa: S102 - no source file: the byte code is hashed
    exec("def f(x):\n    return -x\n", ns2)  # noqa: S102
    assert code_fingerprint(ns1["f"]) != code_fingerprint(ns2["f"])
    assert code_fingerprint(_square) == code_fingerprint(_square)


def test_an_unwritable_cache_fails_before_any_point_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="not writable"):
        Sweep(_explode, {"x": [1]}, name="w", cache_dir=blocker / "cache").run()


def test_cache_key_changes_with_parameters_and_progress_is_reported(tmp_path):
    s = Sweep(_flaky, {"x": [1, 2], "fail_from": [9]}, name="k", cache_dir=tmp_path)
    assert s.key({"x": 1, "fail_from": 9}) != s.key({"x": 2, "fail_from": 9})
    seen = []
    s.run(progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)


def test_stop_executor_ends_pool_workers():
    ex = make_executor("processes", max_workers=2)
    ex.submit(abs, -1).result()
    procs = list(ex._processes.values())
    stop_executor(ex)
    assert all(not p.is_alive() for p in procs)


def test_default_executor_follows_the_cores():
    assert default_executor(1) == ("serial", 1)
    assert default_executor(2) == ("serial", 1)
    assert default_executor(8) == ("processes", 8)


def test_bad_arguments():
    with pytest.raises(ValueError, match="executor must be one of"):
        make_executor("gpu")
    with pytest.raises(ValueError, match="needs scheduler"):
        make_executor("dask")
    with pytest.raises(ValueError, match="max_workers"):
        make_executor("processes", max_workers=0)
    with pytest.raises(ValueError, match="at least one point"):
        Sweep(_flaky, [])
    with pytest.raises(TypeError, match="fn must be callable"):
        Sweep(3, {"x": [1]})


def test_cache_entry_is_plain_json_with_a_checksum(tmp_path):
    s = Sweep(_square, {"x": [3]}, name="fmt", cache_dir=tmp_path)
    s.run()
    entry = json.loads(s.path({"x": 3}).read_text())
    assert set(entry) == {"sha256", "body"} and entry["body"] == {"params": {"x": 3},
                                                                    "result": {"x": 3, "square": 9, "half": 1.5}}
