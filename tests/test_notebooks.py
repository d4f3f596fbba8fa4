"""Every notebook in notebooks/ executes top to bottom (its last cell asserts the bounds); the three costliest only in
`make test-long` (``SLOW``).

The executed copy is saved to docs/_build/executed/ (git-ignored), where `make docs` picks it up to show the
notebook with its outputs; the docs build itself never executes notebooks.
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXECUTED = ROOT / "docs" / "_build" / "executed"


#: the costliest executions, measured one by one in CPU seconds (user + sys, kernel included): mask_topology ≈ 78,
#: pruned_ntk ≈ 45, bias_generalized_ntk ≈ 37 (the others 13–37; dense_ntk, 37, stays: the dense rate claims run
#: nowhere else by default). `make test-long` runs them, with the slow-marked tests of the claims they show
#: (graphon.limit_hypothesis, pruned.effective_width_rate, bias.kernel_convergence, bias.sparse_training).
SLOW = {"mask_topology.ipynb", "pruned_ntk.ipynb", "bias_generalized_ntk.ipynb"}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in NOTEBOOKS],
                         ids=lambda p: p.name)
def test_notebook_executes(path):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "outputs must be stripped in git"
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
                            ).execute()
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, EXECUTED / path.name)
