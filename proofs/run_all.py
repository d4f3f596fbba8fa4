"""Run every derivation in proofs/; exit non-zero on the first failed step (``make test`` runs this)."""

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

MODULES = ["relu_arccos", "leaky_relu", "erf_kernel", "identity", "pruned_mask", "pruned_input_layer", "bias_orthant"]


def main() -> int:
    from _steps import steps_done

    for name in MODULES:
        importlib.import_module(name).main()
    print(f"proofs: {steps_done()} steps checked in {len(MODULES)} derivations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
