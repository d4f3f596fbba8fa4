"""Monte Carlo estimates of the limiting kernels from independently initialised finite networks."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .._validation import as_inputs, check_int, check_seed, resolve_device
from ..kernels.kernel import Kernel
from .empirical import empirical_nngp, empirical_ntk

__all__ = ["monte_carlo_kernel", "child_seeds"]


def child_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent 32-bit seeds derived from ``seed`` (numpy ``SeedSequence``), reproducible."""
    seed = check_seed("seed", seed)
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(n, dtype=np.uint32)]


def monte_carlo_kernel(spec: Any, x1, x2=None, *, width: int, n_samples: int, seed: int = 0,
                       device: str | torch.device | None = None) -> Kernel:
    r"""Average empirical NNGP and NTK over ``n_samples`` independently initialised networks of ``spec``.

    Network k is ``spec.network(width, in_features, seed=s_k)`` with s_k the k-th child seed of ``seed``. The NNGP
    estimate averages the conditional covariance c²g·g' + σ_b² (see :func:`~theorycheck.empirical_nngp`), an
    unbiased, lower-variance estimator of E[f(x)f(x')] at width ``width``.
    """
    width = check_int("width", width, minimum=1)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    dev = resolve_device(device)
    inputs = getattr(spec, "inputs", None)  # LargeBiasNet: on the unit sphere (or normalised when it says so)
    if callable(inputs):
        a = inputs(x1, "x1").to(dev)
        b = None if x2 is None else inputs(x2, "x2").to(dev)
        if b is not None and b.shape[1] != a.shape[1]:
            raise ValueError(f"x2 must have {a.shape[1]} features to match x1, got {b.shape[1]}")
    else:
        a = as_inputs("x1", x1, device=dev)
        b = None if x2 is None else as_inputs("x2", x2, device=dev, features=a.shape[1])
    nngp = ntk = None
    for s in child_seeds(seed, n_samples):
        net = spec.network(width=width, in_features=a.shape[1], seed=s, device=dev)
        k_nngp, k_ntk = empirical_nngp(net, a, b), empirical_ntk(net, a, b)
        nngp = k_nngp if nngp is None else nngp.add_(k_nngp)
        ntk = k_ntk if ntk is None else ntk.add_(k_ntk)
    return Kernel(nngp=nngp / n_samples, ntk=ntk / n_samples)
