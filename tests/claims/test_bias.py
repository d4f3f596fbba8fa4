"""The bias claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs)."""

import pytest

from theorycheck.claims import Context, get_claim

BIAS = ["bias.closed_form", "bias.kernel_convergence", "bias.sparse_training", "bias.lambda_min",
        "bias.generalization"]


@pytest.mark.parametrize("claim_id", BIAS)
def test_bias_claim_passes(claim_id):
    result = get_claim(claim_id).run(Context(scale="small", seed=0))
    assert result.status == "passed", (result.summary, result.reason)
    assert result.margin >= 0
