"""The mask-metric claim at the CPU default scale: every old sub-check is a named check of its own."""

from theorycheck.claims import Context, get_claim


def test_topology_claim_passes_with_named_checks():
    r = get_claim("topology.metric_sanity").run(Context())
    assert r.status == "passed", (r.summary, r.reason)
    names = [c.name for c in r.checks]
    assert len(names) == len(set(names)) == 20
    assert "ER density 0.005: the d_L ≥ 3 gate leaves Δ_r undefined" in names
