"""The public API of the README."""

import numpy as np
import torch

import theorycheck as tc


def test_readme_example_runs():
    x1 = np.random.default_rng(0).normal(size=(8, 5))
    x2 = np.random.default_rng(1).normal(size=(3, 5))
    spec = tc.MLP(depth=3, activation="relu", sigma_w=1.4, sigma_b=0.1)
    k = spec.kernel(x1, x2)
    assert isinstance(k, tc.Kernel) and k.ntk.shape == (8, 3) and k.nngp.dtype == torch.float64
    net = spec.network(width=1024, in_features=x1.shape[1], seed=0)
    assert net(torch.as_tensor(x1)).shape == (8, 1)
    theta = tc.empirical_ntk(net, x1, x2)
    assert theta.shape == (8, 3) and theta.dtype == torch.float64
    assert float((theta - k.ntk).norm() / k.ntk.norm()) < 0.5
    mp = spec.kernel_mp(x1[:2], dps=50)
    assert isinstance(mp, tc.MPKernel) and mp.shape == (2, 2)


def test_exports():
    for name in tc.__all__:
        assert hasattr(tc, name)


def test_imports_are_one_way():
    """kernels/ (analytic) never imports nn/, claims/, spec or report; nn/ (simulation) never imports claims/,
    spec or report. Claims may import both."""
    import ast
    from pathlib import Path

    root = Path(tc.__file__).parent
    rules = {"kernels": {"nn", "claims", "spec", "report"}, "nn": {"claims", "spec", "report"}}
    for sub, forbidden in rules.items():
        for f in (root / sub).glob("*.py"):
            for node in ast.walk(ast.parse(f.read_text())):
                if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                    assert node.module.split(".")[0] not in forbidden, (f.name, node.module)
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    parts = node.module.split(".")
                    assert not (parts[0] == "theorycheck" and len(parts) > 1 and parts[1] in forbidden), f.name
