r"""A training proxy for depth-aware initialisation (Pandey, arXiv 2509.05018; docs/theory/depth_init.md).

A ReLU MLP in the *standard* parameterisation (``torch.nn.Linear`` layers, as such papers train them): matrix l is
drawn N(0, σ_w[l]²/fan_in) from a σ_w schedule (:func:`theorycheck.depth_schedule`; index 0 = the input layer, the
last = the readout), biases start at zero, and the network is trained with SGD and momentum on cross-entropy for
scikit-learn's digits. For ReLU with zero biases the scheduled network at initialisation is He's times √P; in
training it is He's with per-layer learning rates η/s_l (docs/theory/depth_init.md), so any difference in accuracy
comes from the optimisation, not from the function at initialisation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_real, resolve_device
from ..kernels.schedule import layer_sigma_w
from ..nn.training import minibatches
from .data import digits_split

__all__ = ["standard_mlp", "train_digits"]


def standard_mlp(in_features: int, width: int, depth: int, out_features: int, sigma_w: float | Sequence[float],
                 seed: int, *, dtype: torch.dtype = torch.float64,
                 device: str | torch.device | None = None) -> nn.Sequential:
    """A ReLU MLP in the standard parameterisation initialised from a σ_w schedule.

    Args:
        in_features: input dimension d ≥ 1.
        width: units per hidden layer ≥ 1.
        depth: hidden layers L ≥ 0.
        out_features: outputs ≥ 1.
        sigma_w: σ_w or ``depth + 1`` scales (index 0 = input layer, last = readout); matrix l ~ N(0, σ_w[l]²/fan_in).
        seed: seed of the weights (a CPU generator, layer by layer).
        dtype: parameter dtype.
        device: parameter device.

    Returns:
        ``nn.Sequential`` of Linear and ReLU modules, biases zero.

    Raises:
        ValueError: for sizes < 1 or a bad schedule (:func:`theorycheck.kernels.schedule.layer_sigma_w`).
    """
    in_features = check_int("in_features", in_features, minimum=1)
    width = check_int("width", width, minimum=1)
    depth = check_int("depth", depth, minimum=0)
    out_features = check_int("out_features", out_features, minimum=1)
    scales = layer_sigma_w(sigma_w, depth)
    gen = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    sizes = [in_features] + [width] * depth + [out_features]
    mods: list[nn.Module] = []
    for i, s in enumerate(scales):
        lin = nn.Linear(sizes[i], sizes[i + 1], dtype=dtype)
        with torch.no_grad():
            w = torch.randn(sizes[i + 1], sizes[i], generator=gen, dtype=torch.float64) * (s / math.sqrt(sizes[i]))
            lin.weight.copy_(w.to(dtype))
            lin.bias.zero_()
        mods.append(lin)
        if i < depth:
            mods.append(nn.ReLU())
    return nn.Sequential(*mods).to(resolve_device(device))


def train_digits(sigma_w: float | Sequence[float], *, depth: int, width: int, epochs: int, lr: float = 0.01,
                 momentum: float = 0.9, batch_size: int = 32, seed: int = 0, split_seed: int = 0,
                 device: str | torch.device | None = None) -> dict:
    """Train :func:`standard_mlp` on digits (pixels in [0, 1], a stratified 75/25 split) and record the losses.

    Args:
        sigma_w: the schedule (``depth + 1`` scales) or one σ_w.
        depth: hidden layers L.
        width: units per hidden layer.
        epochs: passes over the training set (≥ 1).
        lr: SGD learning rate > 0.
        momentum: SGD momentum in [0, 1).
        batch_size: mini-batch size ≥ 1.
        seed: seed of the weights and of the batch order.
        split_seed: seed of the train/test split.
        device: where to train.

    Returns:
        ``{"test_accuracy", "train_loss" (mean cross-entropy per epoch, list), "initial_loss"}``; a diverged run
        (non-finite loss) has ``"diverged": True`` and accuracy from its last finite state is not trusted: the
        accuracy is then that of the returned (possibly NaN) network, i.e. chance or below.

    Raises:
        ValueError: for out-of-range arguments.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    momentum = check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_inclusive=False)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    dev = resolve_device(device)
    xtr, ytr, xte, yte = digits_split(split_seed)
    net = standard_mlp(xtr.shape[1], width, depth, 10, sigma_w, seed, device=dev)
    x = torch.as_tensor(xtr, dtype=torch.float64, device=dev)
    y = torch.as_tensor(ytr, dtype=torch.long, device=dev)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum)
    gen = torch.Generator().manual_seed(int(seed) + 1)
    with torch.no_grad():
        initial = float(nn.functional.cross_entropy(net(x), y))
    losses, diverged = [], False
    n = len(x)
    for _ in range(epochs):
        total = 0.0
        for idx in minibatches(n, batch_size, gen, dev):
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        losses.append(total / n)
        if not math.isfinite(losses[-1]):
            diverged = True
            break
    with torch.no_grad():
        pred = net(torch.as_tensor(xte, dtype=torch.float64, device=dev)).argmax(dim=1).cpu().numpy()
    return {"test_accuracy": float(np.mean(pred == np.asarray(yte))), "train_loss": losses, "initial_loss": initial,
            "diverged": diverged}
