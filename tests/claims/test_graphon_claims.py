"""Graphon-limit and spectrum claims at the CPU default scale."""

from theorycheck.claims import Context, get_claim


def test_graphon_limit_hypothesis_passes():
    r = get_claim("graphon.limit_hypothesis").run(Context())
    assert r.status == "passed", (r.summary, r.reason)


def test_spectrum_vs_speed_reports_its_numbers():
    """A weak empirical claim: 'passed' or 'unsupported' with the correlations, never an error."""
    r = get_claim("graphon.spectrum_vs_speed").run(Context())
    assert r.status in ("passed", "unsupported"), (r.summary, r.reason)
    assert len(r.data["rows"]) == 9 and set(r.data["spearman_by_sparsity"]) == {"0.5", "0.8", "0.9"}
