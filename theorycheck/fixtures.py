"""Shared workloads: the input sets, masks, graphons and "error of one network" measurements that claims, tests and
notebooks all use, so each lives in one place.

Everything here is deterministic given its seed. Docs: ``docs/claims.md``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import torch

from .data import digits_arrays
from .nn.empirical import empirical_nngp, empirical_ntk
from .stats import relative_frobenius

__all__ = [
    "gaussian_inputs", "sphere_inputs", "calibration_inputs", "digits", "digits_regression", "digits_pair",
    "quiet_network", "network_kernel_error", "network_kernel_errors", "er_mask", "biregular_mask",
    "left_regular_mask", "smooth_graphon",
]


# ------------------------------------------------------------------------------------------------ inputs
def gaussian_inputs(seed: int, n: int, d: int, radius: float | None = None) -> torch.Tensor:
    """n i.i.d. N(0, I_d) rows (float64, seeded); with ``radius`` each row is rescaled to that norm.

    Args:
        seed: seed of a CPU ``torch.Generator``.
        n: number of rows.
        d: number of features.
        radius: if given, every row is rescaled to this Euclidean norm (√d: ‖x‖² = d; 1: the unit sphere).

    Returns:
        A float64 tensor of shape [n, d].
    """
    x = torch.randn(n, d, generator=torch.Generator().manual_seed(int(seed)), dtype=torch.float64)
    return x if radius is None else x / x.norm(dim=1, keepdim=True) * radius


def sphere_inputs(seed: int, n: int, d: int) -> torch.Tensor:
    """n points uniform on the unit sphere S^{d−1} (the large-bias set-up, ``docs/theory/bias.md``)."""
    return gaussian_inputs(seed, n, d, radius=1.0)


def calibration_inputs(seed: int, n: int = 6, d: int = 10) -> torch.Tensor:
    """The pruned-network calibration inputs: n points in R^d with ‖x‖² = d (``docs/theory/pruned.md``)."""
    return gaussian_inputs(seed, n, d, radius=math.sqrt(d))


def digits(n: int) -> tuple[torch.Tensor, np.ndarray]:
    """The first ``n`` scikit-learn digits (shipped with scikit-learn, nothing downloaded), rows rescaled to
    ‖x‖² = 64, and their integer labels."""
    pixels, _, target = digits_arrays()
    x = torch.tensor(pixels[:n], dtype=torch.float64)
    return x / x.norm(dim=1, keepdim=True) * math.sqrt(x.shape[1]), target[:n].copy()


def digits_regression(n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` digits (as :func:`digits`) with the standardised label (y − 4.5)/2.87 as a regression target."""
    x, labels = digits(n)
    return x, torch.tensor((labels - 4.5) / 2.87)


def digits_pair(seed: int, n_train: int, classes: tuple[int, int] = (3, 8)) -> tuple[torch.Tensor, ...]:
    """Two digit classes as a ±1 task on the unit sphere (centred, normalised), split at random into ``n_train``
    training points and the rest for testing. Returns (x_train, y_train, x_test, y_test)."""
    pixels, _, target = digits_arrays()
    mask = (target == classes[0]) | (target == classes[1])
    x = torch.tensor(pixels[mask], dtype=torch.float64)
    x = x - x.mean(dim=0)
    x = x / x.norm(dim=1, keepdim=True)
    y = torch.tensor(np.where(target[mask] == classes[0], 1.0, -1.0))
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    tr, te = perm[:n_train], perm[n_train:]
    return x[tr], y[tr], x[te], y[te]


# ------------------------------------------------------------------------------------------------ networks
def quiet_network(spec: Any, width: int, in_features: int, seed: int, **kwargs: Any):
    """``spec.network(...)`` without the warning about units left with no inputs (expected for sparse masks on
    few input features)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return spec.network(width, in_features, seed=seed, **kwargs)


def network_kernel_errors(spec: Any, x: torch.Tensor, width: int, seed: int, device: Any = "cpu",
                          references: dict[str, torch.Tensor] | None = None,
                          kernels: tuple[str, ...] = ("ntk",)) -> dict[str, float]:
    """Relative Frobenius errors ‖K̂ − K‖_F/‖K‖_F of one width-``width`` network's empirical NTK and/or NNGP to
    ``references`` (default: the spec's own limit ``spec.kernel(x)``); the network is built once.

    Args:
        spec: an architecture spec with ``kernel`` and ``network`` (``tc.MLP``, ``tc.LargeBiasNet``).
        x: inputs [n, d].
        width: hidden width m.
        seed: the network's seed.
        device: torch device of the network.
        references: ``{"ntk": K, "nngp": K'}``, the kernels to compare with (CPU, [n, n]).
        kernels: which of ``"ntk"``, ``"nngp"`` to measure.

    Returns:
        ``{kernel: relative error}``.

    Raises:
        ValueError: for a kernel name other than ``"ntk"``/``"nngp"``.
    """
    for k in kernels:
        if k not in ("ntk", "nngp"):
            raise ValueError(f"kernels must hold 'ntk' and/or 'nngp', got {k!r}")
    references = dict(references or {})
    missing = [k for k in kernels if k not in references]
    if missing:
        lim = spec.kernel(x)
        references.update({k: getattr(lim, k) for k in missing})
    net = quiet_network(spec, width, x.shape[1], seed, device=device)
    xd = x.to(device)
    out = {}
    for k in kernels:
        emp = empirical_ntk(net, xd) if k == "ntk" else empirical_nngp(net, xd)
        out[k] = relative_frobenius(emp.cpu().numpy(), references[k].cpu().numpy())
    return out


def network_kernel_error(spec: Any, x: torch.Tensor, width: int, seed: int, device: Any = "cpu",
                         reference: torch.Tensor | None = None, kernel: str = "ntk") -> float:
    """One kernel's relative error (:func:`network_kernel_errors` with a single kernel)."""
    refs = None if reference is None else {kernel: reference}
    return network_kernel_errors(spec, x, width, seed, device, refs, (kernel,))[kernel]


# ------------------------------------------------------------------------------------------------ masks
def er_mask(rng: np.random.Generator, n_out: int, n_in: int, density: float) -> np.ndarray:
    """An Erdős–Rényi bipartite mask: every entry kept independently with probability ``density``."""
    return (rng.random((n_out, n_in)) < density).astype(np.float64)


def biregular_mask(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Union of d random perfect matchings (a d-biregular bipartite multigraph; entries count multiplicities)."""
    m = np.zeros((n, n))
    for _ in range(d):
        m[np.arange(n), rng.permutation(n)] += 1.0
    return m


def left_regular_mask(rng: np.random.Generator, n_out: int, n_in: int, d: int) -> np.ndarray:
    """Each input keeps exactly d random outputs."""
    m = np.zeros((n_out, n_in))
    for j in range(n_in):
        m[rng.choice(n_out, size=d, replace=False), j] = 1.0
    return m


# ------------------------------------------------------------------------------------------------ graphons
def smooth_graphon(v: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """W(v, u) = 0.15 + 0.8·u·v, a smooth non-constant graphon with density ≥ 0.15 (``docs/theory/graphon.md``)."""
    return (0.15 + 0.8 * u * v).clamp(0.0, 1.0)
