r"""Sparse first layers at an equal nonzero budget (Davelouis, Martin, Bowling 2025, arXiv 2501.16729, supervised
proxy), and the spatial first-layer mask as a graphon.

At a budget of B first-layer nonzeros on d inputs, a dense first layer has ⌊B/d⌋ units, a sparse one with fan-in
k has ⌊B/k⌋ units: sparsity buys width. Two sparse kinds:

* ``"random"``: each unit reads k pixels drawn at random (without replacement);
* ``"spatial"``: each unit reads a random p×p patch of the H×W image (k = p²), a local receptive field.

The hidden weights are either **fixed** (random features; only a logistic-regression readout is fitted) or
**learned** (both layers trained with Adam; the mask stays fixed). In the kernel picture a random fan-in-k mask is
close to the dense kernel up to the factor k/d, while the spatial mask is the non-constant graphon

.. math::

    W(v, u) = [\,\mathrm{pixel}(u) \in \mathrm{patch}(v)\,], \qquad
    \mathrm{pixel}(u) = \lfloor u\,HW \rfloor, \quad \mathrm{patch}(v) = \lfloor v\,P \rfloor,

with P = (H − p + 1)(W − p + 1) patch positions, which changes the graphon NTK itself (Pham et al. 2025). Pass it as
``tc.MLP(graphons=[spatial_graphon(), None, …])``; use a hidden width and a ``graphon_resolution`` that are multiples
of P so that every patch gets the same share of units. There is no theorem. Docs:
``docs/theory/beyond_kernel.md#sparse-first-layers-in-reinforcement-learning``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_real, check_seed, resolve_device
from ..nn.training import minibatches

__all__ = ["MASK_KINDS", "first_layer_mask", "units_at_budget", "spatial_graphon", "n_patches",
           "fixed_features_accuracy", "learned_accuracy"]

MASK_KINDS = ("dense", "random", "spatial")


def _check_image(image_shape: tuple[int, int], patch: int) -> tuple[int, int, int]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise ValueError(f"image_shape must be a pair (H, W), got {image_shape!r}")
    h = check_int("image_shape[0]", image_shape[0], minimum=1)
    w = check_int("image_shape[1]", image_shape[1], minimum=1)
    patch = check_int("patch", patch, minimum=1, maximum=min(h, w))
    return h, w, patch


def n_patches(image_shape: tuple[int, int] = (8, 8), patch: int = 3) -> int:
    """P = (H − p + 1)(W − p + 1), the number of p×p patch positions in an H×W image."""
    h, w, patch = _check_image(image_shape, patch)
    return (h - patch + 1) * (w - patch + 1)


def units_at_budget(kind: str, budget: int, d: int, fan_in: int) -> int:
    """Hidden units that fit a budget of ``budget`` first-layer nonzeros: ⌊B/d⌋ dense, ⌊B/k⌋ sparse (fan-in k).

    Raises:
        ValueError: for an unknown kind, a fan-in outside [1, d] or a budget below one unit.
    """
    if kind not in MASK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(MASK_KINDS)}, got {kind!r}")
    d = check_int("d", d, minimum=1)
    fan_in = check_int("fan_in", fan_in, minimum=1, maximum=d)
    per_unit = d if kind == "dense" else fan_in
    return check_int("budget", budget, minimum=per_unit) // per_unit


def first_layer_mask(kind: str, n_units: int, image_shape: tuple[int, int] = (8, 8), patch: int = 3, *,
                     seed: int = 0) -> torch.Tensor:
    """A {0, 1} first-layer mask [n_units, H·W]: dense, ``"random"`` (p² random pixels per unit) or ``"spatial"``
    (a uniformly random p×p patch per unit). Pixels are numbered row-major; ``seed`` (in [0, 2⁶⁴ − 1], the range
    every seed of theorycheck takes) seeds the random kinds.

    Raises:
        ValueError: for an unknown kind, ``n_units`` < 1, a patch larger than the image or a seed outside
            [0, 2⁶⁴ − 1].
    """
    if kind not in MASK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(MASK_KINDS)}, got {kind!r}")
    h, w, patch = _check_image(image_shape, patch)
    n_units = check_int("n_units", n_units, minimum=1)
    rng = np.random.default_rng(check_seed("seed", seed))
    d = h * w
    mask = np.zeros((n_units, d))
    if kind == "dense":
        mask[:] = 1.0
    elif kind == "random":
        for i in range(n_units):
            mask[i, rng.choice(d, patch * patch, replace=False)] = 1.0
    else:
        rows, cols = rng.integers(0, h - patch + 1, n_units), rng.integers(0, w - patch + 1, n_units)
        for i in range(n_units):
            img = np.zeros((h, w))
            img[rows[i]:rows[i] + patch, cols[i]:cols[i] + patch] = 1.0
            mask[i] = img.ravel()
    return torch.as_tensor(mask, dtype=torch.float64)


def spatial_graphon(image_shape: tuple[int, int] = (8, 8), patch: int = 3
                    ) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """The spatial mask as a graphon W(v, u) ∈ {0, 1} for ``tc.MLP(graphons=[...])`` (see the module docstring).

    Input position u ∈ [0, 1] is pixel ⌊u·HW⌋ (row-major; the input grid (j + ½)/d hits pixel j); unit position v is
    patch ⌊v·P⌋ (row-major over patch positions). The density is p²/(HW) for every unit.

    Returns:
        ``W(v, u)``, broadcasting over torch tensors of positions.
    """
    h, w, patch = _check_image(image_shape, patch)
    pw = w - patch + 1
    n_p = (h - patch + 1) * pw

    def graphon(v: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        v, u = torch.as_tensor(v, dtype=torch.float64), torch.as_tensor(u, dtype=torch.float64)
        pixel = torch.clamp(torch.floor(u * (h * w)), 0, h * w - 1)
        p = torch.clamp(torch.floor(v * n_p), 0, n_p - 1)
        r, c = torch.div(pixel, w, rounding_mode="floor"), torch.remainder(pixel, w)
        pr, pc = torch.div(p, pw, rounding_mode="floor"), torch.remainder(p, pw)
        inside = (r >= pr) & (r < pr + patch) & (c >= pc) & (c < pc + patch)
        return inside.to(torch.float64)

    graphon.__name__ = f"spatial_graphon_{h}x{w}_p{patch}"
    return graphon


def _hidden(x: np.ndarray, weight: torch.Tensor, bias: torch.Tensor) -> np.ndarray:
    xt = torch.as_tensor(x, dtype=torch.float64, device=weight.device)
    return torch.relu(xt @ weight.T + bias).cpu().numpy()


def _init_first_layer(mask: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian weights N(0, 2/fan-in) on the mask (He scaling per unit), biases N(0, 0.1²)."""
    fan_in = mask.sum(dim=1, keepdim=True).clamp_min(1.0)
    weight = torch.randn(mask.shape, generator=gen, dtype=torch.float64) * torch.sqrt(2.0 / fan_in) * mask
    return weight, 0.1 * torch.randn(mask.shape[0], generator=gen, dtype=torch.float64)


def _check_split(xtr, ytr, xte, yte, mask: torch.Tensor) -> None:
    if xtr.ndim != 2 or xte.ndim != 2 or xtr.shape[1] != mask.shape[1] or xte.shape[1] != mask.shape[1]:
        raise ValueError(f"x_train and x_test must be [n, {mask.shape[1]}] (the mask's input size), got "
                         f"{xtr.shape} and {xte.shape}")
    if len(ytr) != len(xtr) or len(yte) != len(xte):
        raise ValueError("y_train and y_test must have one label per row of x_train and x_test")


def fixed_features_accuracy(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray, mask: torch.Tensor,
                            *, seed: int = 0, c: float = 1.0) -> float:
    """Test accuracy with the hidden weights **fixed** at their random initialisation: ReLU random features on the
    mask, standardised, and a logistic-regression readout (scikit-learn, inverse regularisation ``c``)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    _check_split(xtr, ytr, xte, yte, mask)
    c = check_real("c", c, minimum=0.0, min_inclusive=False)
    weight, bias = _init_first_layer(mask, torch.Generator().manual_seed(check_seed("seed", seed)))
    htr, hte = _hidden(xtr, weight, bias), _hidden(xte, weight, bias)
    scaler = StandardScaler().fit(htr)
    clf = LogisticRegression(C=c, max_iter=3000).fit(scaler.transform(htr), ytr)
    return float(clf.score(scaler.transform(hte), yte))


def learned_accuracy(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray, mask: torch.Tensor, *,
                     epochs: int = 150, batch_size: int = 64, lr: float = 1e-3, seed: int = 0,
                     device: str | torch.device | None = None) -> float:
    """Test accuracy with the hidden weights **learned**: the masked one-hidden-layer ReLU network (same
    initialisation as :func:`fixed_features_accuracy`) and its readout trained jointly with Adam on cross-entropy;
    masked weights stay zero (their gradient is masked).

    Raises:
        ValueError: for a non-positive ``lr`` or sizes < 1.
    """
    _check_split(xtr, ytr, xte, yte, mask)
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    dev = resolve_device(device)
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
    weight, bias = _init_first_layer(mask, gen)
    n_classes = int(max(ytr.max(), yte.max())) + 1
    readout = torch.randn(n_classes, mask.shape[0], generator=gen, dtype=torch.float64) / np.sqrt(mask.shape[0])
    params = [nn.Parameter(t.to(dev)) for t in (weight, bias, readout, torch.zeros(n_classes, dtype=torch.float64))]
    m = mask.to(dev)
    opt = torch.optim.Adam(params, lr=lr)
    x = torch.as_tensor(xtr, dtype=torch.float64, device=dev)
    y = torch.as_tensor(ytr, dtype=torch.long, device=dev)

    def forward(inputs: torch.Tensor) -> torch.Tensor:
        return torch.relu(inputs @ (params[0] * m).T + params[1]) @ params[2].T + params[3]

    n = len(x)
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, gen, dev):
            loss = nn.functional.cross_entropy(forward(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = forward(torch.as_tensor(xte, dtype=torch.float64, device=dev)).argmax(dim=1).cpu().numpy()
    return float(np.mean(pred == np.asarray(yte)))
