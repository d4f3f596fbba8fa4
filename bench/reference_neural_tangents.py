"""Cross-check theorycheck's analytic NNGP/NTK against neural-tangents (an independent JAX implementation).

Random depths (1–8), σ_w, σ_b and Gaussian inputs; activations relu, erf, identity, leaky_relu, abs; both
x2 = None and x2 given. neural-tangents' ``stax.Dense(W_std, b_std)`` in 'ntk' parameterisation is exactly the
§0.1 network. Where the two differ by more than 1e-12 (max-norm relative), theorycheck's 50-digit path referees.
Exits non-zero if theorycheck is off the 50-digit value by more than 1e-12 or the referee sides with
neural-tangents. Needs ``.[reference]`` (``make
reference``); not part of CI because JAX + TensorFlow weigh ~2.7 GB.
"""

from __future__ import annotations

import sys

import numpy as np

import theorycheck as tc

TOL = 1e-12


def nt_kernel(act: str, depth: int, sw: float, sb: float, x1, x2):
    import jax

    jax.config.update("jax_enable_x64", True)
    from neural_tangents import stax

    acts = {"relu": stax.Relu(), "erf": stax.Erf(), "identity": stax.Identity(),
            "leaky_relu": stax.LeakyRelu(0.2), "abs": stax.Abs()}
    layers = []
    for _ in range(depth):
        layers += [stax.Dense(512, W_std=sw, b_std=sb), acts[act]]
    layers.append(stax.Dense(1, W_std=sw, b_std=sb))
    _, _, kernel_fn = stax.serial(*layers)
    k = kernel_fn(x1, x2, ("nngp", "ntk"))
    return np.asarray(k.nngp), np.asarray(k.ntk)


def _rel(a, b) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def main() -> int:
    rng = np.random.default_rng(2026)
    worst_nt = worst_mp = 0.0
    rows = disagreements = nt_worse = 0
    for case in range(60):
        act = ("relu", "erf", "identity", "leaky_relu", "abs")[case % 5]
        depth = int(rng.integers(1, 9))
        sw, sb = float(rng.uniform(0.3, 2.5)), float(rng.choice([0.0, rng.uniform(0.0, 1.5)]))
        d = int(rng.integers(1, 20))
        x1 = rng.normal(size=(int(rng.integers(2, 12)), d)) * float(rng.choice([1e-3, 1.0, 30.0]))
        x2 = None if case % 2 else rng.normal(size=(int(rng.integers(1, 8)), d))
        spec = tc.MLP(depth=depth, activation=act, sigma_w=sw, sigma_b=sb, negative_slope=0.2)
        k = spec.kernel(x1, x2)
        ref = nt_kernel(act, depth, sw, sb, x1, x2)
        exact = spec.kernel_mp(x1, x2, dps=50).to_torch()
        for ours, nt, mp in zip((k.nngp, k.ntk), ref, (exact.nngp, exact.ntk)):
            rows += 1
            ours, mp = ours.numpy(), mp.numpy()
            e_nt, e_mp, nt_mp = _rel(ours, nt), _rel(ours, mp), _rel(nt, mp)
            worst_nt, worst_mp = max(worst_nt, e_nt), max(worst_mp, e_mp)
            if e_nt > TOL:
                disagreements += 1
                nt_worse += nt_mp > e_mp
                print(f"  {act:10s} depth={depth} sw={sw:.3f} sb={sb:.3f} d={d}: |ours−nt| {e_nt:.2e}; "
                      f"vs 50 digits: ours {e_mp:.2e}, neural-tangents {nt_mp:.2e}")
    print(f"neural-tangents cross-check: {rows} kernels; agree to {TOL:g} on {rows - disagreements}; "
          f"worst |ours − nt| {worst_nt:.2e}; worst |ours − 50-digit mpmath| {worst_mp:.2e}; "
          f"on every disagreement the 50-digit referee sides with theorycheck: {nt_worse == disagreements}")
    return 0 if worst_mp <= TOL and nt_worse == disagreements else 1


if __name__ == "__main__":
    sys.exit(main())
