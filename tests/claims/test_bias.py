"""The bias claims hold at the CPU default scale (the same checks ``theorycheck verify`` runs); the convergence plot
overlays the pruned sweep when it ran and says so when it did not."""

import pytest

from theorycheck.claims import ClaimResult, Context, get_claim
from theorycheck.claims.bias import gershgorin_bound

BIAS = ["bias.closed_form", "bias.kernel_convergence", "bias.sparse_training", "bias.lambda_min",
        "bias.generalization"]
FAST = {"bias.lambda_min"}


@pytest.mark.parametrize("claim_id", [c if c in FAST else pytest.param(c, marks=pytest.mark.slow) for c in BIAS])
def test_bias_claim_passes(claim_id):
    result = get_claim(claim_id).run(Context(scale="small", seed=0))
    assert result.status == "passed", (result.summary, result.reason)
    assert all(c.holds for c in result.checks)


def test_gershgorin_bound():
    import torch

    h = torch.tensor([[2.0, 0.5, -0.25], [0.5, 3.0, 0.0], [-0.25, 0.0, 1.0]], dtype=torch.float64)
    assert gershgorin_bound(h) == pytest.approx(0.75)
    assert gershgorin_bound(h) <= float(torch.linalg.eigvalsh(h)[0])


def _conv_result():
    rows = [dict(B=0.0, width=w, active_width=w / 2, err=(w / 2) ** -0.5) for w in (1000, 4000)]
    return ClaimResult("bias.kernel_convergence", data=dict(rows=rows, slope=-0.5, intercept=0.0, halfwidth_99=0.05))


def _texts(fig):
    ax = fig.axes[0]
    return [t.get_text() for t in ax.texts] + ax.get_legend_handles_labels()[1]


def test_convergence_plot_declares_and_reads_the_pruned_sweep():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    claim = get_claim("bias.kernel_convergence")
    assert claim.uses == ("pruned.effective_width_rate",)
    (_, alone), = claim.plot(_conv_result(), {})
    assert any("did not run" in t for t in _texts(alone))
    pruned = ClaimResult("pruned.effective_width_rate", data={"rows": [dict(eff_width=512.0, err=0.1)]})
    (_, both), = claim.plot(_conv_result(), {"pruned.effective_width_rate": pruned})
    assert "random pruning (x: (1−p)·m)" in _texts(both) and not any("did not run" in t for t in _texts(both))
    plt.close("all")


def test_sparse_training_statement_does_not_claim_an_unchecked_comparison():
    assert "not a check" in get_claim("bias.sparse_training").render_statement("small")
