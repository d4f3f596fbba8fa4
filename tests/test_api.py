"""The public API of the README."""

import numpy as np
import pytest
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


#: Which of the package's top-level parts each part may import (a module not listed fails the test, so every new
#: module takes a place in the layering). Foundation: pure helpers. Analytic: kernels. Simulation: nn, masks,
#: dynamics. Specs join the analytic and the simulation side; claims import everything but the report; the report
#: and the CLI import claims.
FOUNDATION = {"_validation", "stats", "topology", "spectral", "sweep", "cells", "data"}
#: Simulation packages: each may import the foundation, the analytic kernels, the activation registry, nn, masks and
#: itself (one line each; add extra allowed parts in the set).
SIMULATION = {
    "nn": set(),
    "masks": set(),
    "dynamics": set(),
    "bounds": set(),
    "sparse_recovery": set(),
    "transformers": set(),
    "shortcuts": set(),
    "mean_field": set(),
    "methods": set(),
    "sparse_training": set(),
}
_SIM = set(SIMULATION)
LAYERS = {
    **{name: FOUNDATION for name in FOUNDATION},
    "kernels": FOUNDATION | {"kernels"},
    # the activation registry maps a name to (φ, φ', closed-form expectations): it sits just above the kernels
    "activations": FOUNDATION | {"activations", "kernels"},
    **{name: FOUNDATION | {"kernels", "activations", "nn", "masks", name} | extra
       for name, extra in SIMULATION.items()},
    "specs": FOUNDATION | {"kernels", "activations", "nn", "masks", "specs"},
    "strategies": FOUNDATION | {"kernels", "activations", "nn", "masks", "specs"},
    "fixtures": FOUNDATION | {"kernels", "activations", "nn", "masks", "specs"},
    "claims": FOUNDATION | _SIM | {"kernels", "activations", "specs", "claims", "fixtures"},
    "report": FOUNDATION | _SIM | {"kernels", "activations", "specs", "claims", "report", "fixtures"},
    "__init__": FOUNDATION | _SIM | {"kernels", "activations", "specs"},
    "__main__": {"report"},
}


def _part(rel: tuple[str, ...]) -> str:
    return rel[0][:-3] if rel[0].endswith(".py") else rel[0]


def test_imports_are_one_way():
    """Every module of the package imports only the parts its layer allows (see LAYERS): kernels never import
    nn, specs or claims; the simulation side never imports specs or claims; nothing but the report imports it."""
    import ast
    from pathlib import Path

    root = Path(tc.__file__).parent
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).parts
        part = _part(rel)
        assert part in LAYERS, f"{f}: module part {part!r} has no place in LAYERS; add it"
        allowed = LAYERS[part]
        pkg = rel[:-1]  # the package the module lives in
        for node in ast.walk(ast.parse(f.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] != "theorycheck":
                    continue
                target = parts[1:]
            else:
                base = list(pkg[: len(pkg) - (node.level - 1)]) if node.level - 1 <= len(pkg) else None
                assert base is not None, f"{f}: relative import beyond the package"
                target = base + (node.module.split(".") if node.module else [])
            if not target:
                names = [a.name for a in node.names]
                targets = names
            else:
                targets = [target[0]]
            for t in targets:
                t = t[:-3] if t.endswith(".py") else t
                if t in LAYERS or (root / t).exists() or (root / f"{t}.py").exists():
                    assert t in allowed or t == part, f"{'/'.join(rel)} imports {t!r}, which {part!r} may not"


def test_lazy_exports_agree_with_all_and_type_checking_block():
    """Every name in __all__ has a lazy home in _EXPORTS and a TYPE_CHECKING import from that same module."""
    import ast
    from pathlib import Path

    src = (Path(tc.__file__)).read_text()
    tree = ast.parse(src)
    typed = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                for alias in imp.names:
                    typed[alias.name] = imp.module
    assert set(tc._EXPORTS) == set(tc.__all__) - {"__version__"}
    assert typed == dict(tc._EXPORTS)


@pytest.mark.slow
def test_every_readme_python_block_runs(tmp_path):
    """Every ```python block of the README runs as written, in order, in a fresh interpreter (blocks that continue an
    earlier one share its namespace, as a reader's session would); the sweep example runs as its own script because
    its process pool needs the ``if __name__ == "__main__":`` guard it shows."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    blocks = re.findall(r"```python\n(.*?)```", (root / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    scripts = [[]]
    for block in blocks:
        (scripts.append([block]) if "__main__" in block else scripts[0].append(block))
    for i, parts in enumerate(scripts):
        path = tmp_path / f"readme_{i}.py"
        path.write_text("\n".join(parts), encoding="utf-8")
        run = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONPATH": str(root), "OMP_NUM_THREADS": "1"})
        assert run.returncode == 0, f"README block group {i} failed:\n{run.stderr[-3000:]}"
