"""Monte Carlo kernels: reproducible and converging to the limit."""

import torch

import theorycheck as tc


def test_monte_carlo_kernel_is_reproducible_and_converges():
    spec = tc.MLP(depth=2, activation="erf", sigma_w=1.3, sigma_b=0.2)
    x = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    a = tc.monte_carlo_kernel(spec, x, width=256, n_samples=4, seed=3)
    b = tc.monte_carlo_kernel(spec, x, width=256, n_samples=4, seed=3)
    assert torch.equal(a.ntk, b.ntk) and torch.equal(a.nngp, b.nngp)
    limit = spec.kernel(x)
    one = tc.monte_carlo_kernel(spec, x, width=256, n_samples=1, seed=3)
    many = tc.monte_carlo_kernel(spec, x, width=256, n_samples=16, seed=3)
    err1 = float((one.ntk - limit.ntk).norm() / limit.ntk.norm())
    err16 = float((many.ntk - limit.ntk).norm() / limit.ntk.norm())
    # averaging 16 independent networks shrinks the fluctuation by ~4; the O(1/m) bias at m = 256 stays
    assert err16 < err1
