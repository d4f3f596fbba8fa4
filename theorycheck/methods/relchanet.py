r"""RelChaNet feature selection (Zimmer 2024, arXiv 2410.02344): input-neuron prune-and-regrow with relative-change
scores.

A one-hidden-layer ReLU classifier Linear(s → h) → ReLU → Linear(h → classes) reads s = K + ⌈(d − K)·c⌉ of the d
features: K "ident" features (the current selection) and s − K candidates. Every ``switch_interval`` mini-batches:

1. G = Σ_batches ∇_{W₁}L·|b| / n (the accumulated first-layer gradient); score_j = Σ_h |G_hj|, z-standardised over
   the s inputs;
2. highscore[f] ← max(highscore[f], z_j) at the candidate positions (initial highscore −100);
3. ident ← the K inputs with the largest highscores;
4. every non-ident slot gets a new feature drawn without replacement from the features outside ident, and its
   first-layer weights are reset to U(−10⁻⁸, 10⁻⁸).

Why "relative change": a new candidate starts at ≈ 0, and under plain SGD with step η and a constant batch size |b|,

.. math::

    G = -\frac{|b|}{\eta\, n}\,\bigl(W_1^{\text{now}} - W_1^{\text{enter}}\bigr)

exactly, the weight change since the last switch (with Adam only in direction and rough size). There is no theorem.
Implemented from the authors' code (``relchanet/code.py``), without the optional early stopping and adaptive input
size. Docs: ``docs/theory/beyond_kernel.md#relchanet-feature-selection``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_real, check_seed, resolve_device
from ..nn.training import minibatches

__all__ = ["RelChaNetResult", "select_features", "relative_change", "RESET_SCALE", "OPTIMIZERS", "INVARIANTS"]

#: reset weights of a new candidate are drawn from U(−RESET_SCALE, RESET_SCALE)
RESET_SCALE = 1e-8
INITIAL_HIGHSCORE = -100.0
OPTIMIZERS = ("adam", "sgd")


@dataclass
class RelChaNetResult:
    """The outcome of :func:`select_features`.

    Attributes:
        selected: the K selected features (ident after the last score update), sorted.
        highscores: the final highscore of every feature (−100 for features never tried).
        idents: ident after each update (K features each).
        train_losses: the training loss with the non-ident inputs zeroed, before each update.
        identity_errors: with ``record_identity`` and SGD, per update max|G − (−|b|/(ηn))ΔW| / max|G|.
        violations: the number of updates that broke each invariant (all zero for a correct run).
        n_updates: number of score updates.
    """

    selected: list[int]
    highscores: list[float]
    idents: list[list[int]] = field(default_factory=list)
    train_losses: list[float] = field(default_factory=list)
    identity_errors: list[float] = field(default_factory=list)
    violations: dict[str, int] = field(default_factory=dict)
    n_updates: int = 0


INVARIANTS = ("ident_distinct_k", "selected_distinct", "highscores_monotone", "candidates_outside_ident",
              "reset_weights_small")


def _as_data(x, y, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, int]:
    x = torch.as_tensor(np.asarray(x) if not torch.is_tensor(x) else x)
    if x.dim() != 2 or not torch.is_floating_point(x):
        raise ValueError(f"x must be a 2-D float array [n, d], got shape {tuple(x.shape)} and dtype {x.dtype}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x must be finite")
    y = torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y)
    if y.shape != (x.shape[0],) or torch.is_floating_point(y) or y.dtype == torch.bool:
        raise ValueError(f"y must be integer class labels of shape ({x.shape[0]},), got shape {tuple(y.shape)}")
    labels, y = torch.unique(y, return_inverse=True)
    if len(labels) < 2:
        raise ValueError("y must hold at least two classes")
    return x.to(device=device, dtype=torch.float64), y.to(device), len(labels)


def select_features(x, y, k: int, *, n_hidden: int = 100, epochs: int = 200, batch_size: int = 1024,
                    lr: float = 1e-3, candidate_perc: float = 0.2, switch_interval: int = 100,
                    optimizer: str = "adam", seed: int = 0, device: str | torch.device | None = None,
                    record_identity: bool = False) -> RelChaNetResult:
    """Select ``k`` of the d features of ``(x, y)`` with RelChaNet (see the module docstring).

    Args:
        x: features [n, d] (float; min–max scaled as in the paper).
        y: integer class labels [n].
        k: number of features to select, 1 ≤ k < d.
        n_hidden: hidden width h (paper: 100; the example: 10).
        epochs: passes over the data (mini-batches of ``batch_size``, the last partial batch dropped).
        batch_size: mini-batch size (capped at n).
        lr: step size of the optimizer (> 0).
        candidate_perc: fraction c ∈ (0, 1] of the d − k other features held as candidates.
        switch_interval: mini-batches between score updates (≥ 1).
        optimizer: ``"adam"`` (the paper's) or ``"sgd"`` (plain SGD, where the relative-change identity is exact).
        seed: seed of the initial weights, the batch order and the candidate draws, in [0, 2⁶⁴ − 1].
        device: torch device (CPU by default).
        record_identity: record the relative-change identity error at each update (SGD only).

    Returns:
        A :class:`RelChaNetResult`.

    Raises:
        ValueError: for k outside [1, d − 1], a non-positive ``lr``, sizes < 1, ``candidate_perc`` outside (0, 1],
            an unknown ``optimizer``, ``record_identity`` with Adam, or a seed outside [0, 2⁶⁴ − 1].
        TypeError: for non-integer sizes or seed.
    """
    dev = resolve_device(device)
    x, y, n_classes = _as_data(x, y, dev)
    n, d = x.shape
    k = check_int("k", k, minimum=1, maximum=d - 1)
    n_hidden = check_int("n_hidden", n_hidden, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = min(check_int("batch_size", batch_size, minimum=1), n)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    candidate_perc = check_real("candidate_perc", candidate_perc, minimum=0.0, maximum=1.0, min_inclusive=False)
    switch_interval = check_int("switch_interval", switch_interval, minimum=1)
    seed = check_seed("seed", seed)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if record_identity and optimizer != "sgd":
        raise ValueError("record_identity needs optimizer='sgd' (the identity is exact only for plain SGD)")

    netsize = min(d, k + math.ceil((d - k) * candidate_perc))
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(netsize, n_hidden), nn.ReLU(), nn.Linear(n_hidden, n_classes))
    model = model.to(dev, torch.float64)
    with torch.no_grad():  # PyTorch's default Linear initialisation U(−1/√fan_in, 1/√fan_in), from our generator
        for layer in (model[0], model[2]):
            bound = 1.0 / math.sqrt(layer.in_features)
            for p in (layer.weight, layer.bias):
                p.copy_(((torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dev))
    first = model[0].weight
    opt = (torch.optim.Adam(model.parameters(), lr=lr) if optimizer == "adam"
           else torch.optim.SGD(model.parameters(), lr=lr))
    loss_fn = nn.CrossEntropyLoss()

    selected = torch.as_tensor(rng.choice(d, netsize, replace=False), device=dev)
    ident_index = torch.as_tensor(rng.choice(netsize, k, replace=False), device=dev)
    ident = selected[ident_index]
    candidate = torch.ones(netsize, dtype=torch.bool, device=dev)  # at the start every input is a candidate
    highscores = torch.full((d,), INITIAL_HIGHSCORE, dtype=torch.float64, device=dev)
    grads = torch.zeros_like(first)
    w_enter = first.detach().clone()
    result = RelChaNetResult(selected=[], highscores=[], violations=dict.fromkeys(INVARIANTS, 0))
    steps = 0
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, gen, dev, drop_last=True):
            loss = loss_fn(model(x[idx][:, selected]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
            grads += first.grad.detach() * len(idx)
            if steps < switch_interval:
                continue
            steps = 0
            with torch.no_grad():
                keep = torch.zeros(d, dtype=torch.bool, device=dev)
                keep[ident] = True
                result.train_losses.append(float(loss_fn(model((x * keep)[:, selected]), y)))
                g = grads / n
                if record_identity:
                    pred = relative_change(first, w_enter, batch_size=batch_size, lr=lr, n=n)
                    result.identity_errors.append(float((g - pred).abs().max() / g.abs().max()))
                score = g.abs().sum(dim=0)
                std = score.std()
                z = (score - score.mean()) / std if float(std) > 0 else torch.zeros_like(score)
                before = highscores.clone()
                pos = selected[candidate]
                highscores[pos] = torch.maximum(highscores[pos], z[candidate])
                ident_index = torch.topk(highscores[selected], k).indices
                ident = selected[ident_index]
                candidate = torch.ones(netsize, dtype=torch.bool, device=dev)
                candidate[ident_index] = False
                pool = np.setdiff1d(np.arange(d), ident.cpu().numpy())
                selected = selected.clone()
                selected[candidate] = torch.as_tensor(rng.choice(pool, netsize - k, replace=False), device=dev)
                reset = (torch.rand((first.shape[0], int(candidate.sum())), generator=gen, dtype=torch.float64)
                         * 2 - 1) * RESET_SCALE
                first[:, candidate] = reset.to(dev)
                grads.zero_()
                w_enter = first.detach().clone()
                _count_violations(result.violations, ident, selected, candidate, highscores, before, first, k)
                result.idents.append(sorted(int(f) for f in ident))
                result.n_updates += 1
    result.selected = sorted(int(f) for f in ident)
    result.highscores = [float(h) for h in highscores]
    return result


def relative_change(w_now: torch.Tensor, w_enter: torch.Tensor, *, batch_size: int, lr: float, n: int
                    ) -> torch.Tensor:
    """The accumulated score gradient G = Σ_batches ∇L·|b|/n predicted from the weights under plain SGD:
    −(|b|/(η n))·(W_now − W_enter) (exact for SGD with step η and a constant batch size |b|).

    Args:
        w_now: first-layer weights now.
        w_enter: first-layer weights right after the last switch (a new candidate's reset weights).
        batch_size: |b| ≥ 1.
        lr: the SGD step η > 0.
        n: number of training points ≥ 1.

    Returns:
        The predicted G, shaped like ``w_now``.

    Raises:
        ValueError: for a non-positive ``lr`` or sizes < 1, or mismatched shapes.
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    n = check_int("n", n, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    if w_now.shape != w_enter.shape:
        raise ValueError(f"w_now and w_enter must have one shape, got {tuple(w_now.shape)} and {tuple(w_enter.shape)}")
    return -(batch_size / (lr * n)) * (w_now - w_enter)


def _count_violations(v: dict[str, int], ident: torch.Tensor, selected: torch.Tensor, candidate: torch.Tensor,
                      highscores: torch.Tensor, before: torch.Tensor, first: torch.Tensor, k: int) -> None:
    """Add one to each invariant this update broke."""
    v["ident_distinct_k"] += int(len(set(ident.tolist())) != k)
    v["selected_distinct"] += int(len(set(selected.tolist())) != len(selected))
    v["highscores_monotone"] += int(bool((highscores < before).any()))
    v["candidates_outside_ident"] += int(bool(set(selected[candidate].tolist()) & set(ident.tolist())))
    v["reset_weights_small"] += int(bool((first[:, candidate].abs() > RESET_SCALE).any()))
