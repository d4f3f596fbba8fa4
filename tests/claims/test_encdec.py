"""The encdec claim runs at small scale and passes (≈1 s)."""

import theorycheck.claims.encdec  # noqa: F401  (registers the claim)
from theorycheck.claims import Context, get_claim


def test_function_preserving_init_claim_passes():
    r = get_claim("encdec.function_preserving_init").run(Context())
    assert r.status == "passed", (r.summary, r.reason)
    assert r.data["original_max_abs_change"] == [0.0] * 5
