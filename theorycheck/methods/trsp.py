r"""Two-stage regularisation-based structured pruning (TRSP; Feng, Wu et al., ACL 2026, arXiv 2505.18232) on a small
residual model.

The model is a pre-LayerNorm residual MLP: h ← h + S_l·F_l(LN_l(h)) for blocks l = 1..L, with a learnable scalar
S_l per block (initialised to 1). Deleting block l means skipping it (h passes through unchanged).

* **Stage 1** (selection), in ``n_prune`` rounds: train with L + λ₁ Σ_{l alive, candidate} |S_l|, then turn off the
  alive candidate block with the smallest |S_l| and add it to P (one per round, so the network adapts between
  removals).
* **Stage 2** (identity forcing): turn the blocks of P back on and train with
  L + λ₂ Σ_{l∈P} mean((h_out^l − h_in^l)²), which pushes S_l F_l(LN h) → 0, i.e. the blocks of P toward the
  identity while the kept blocks absorb their function.
* **Deletion**: remove P, with no retraining.

Implemented from the paper's equations, not from its code (whose OPT layer never applies its scale). There is no
theorem. Docs: ``docs/theory/beyond_kernel.md#trsp-regularisation-based-layer-pruning``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .._validation import as_inputs, check_int, check_real, check_seed, resolve_device
from ..nn.training import minibatches

__all__ = ["ResidualMLP", "TRSPResult", "train_residual", "trsp_prune", "accuracy"]


class ResidualMLP(nn.Module):
    """Input Linear(d → width), ``n_blocks`` pre-LN residual blocks h + S_l·F_l(LN h) with
    F_l = Linear·ReLU·Linear (width → width), and a LayerNorm + Linear readout.

    Args:
        d: input features.
        width: residual stream width.
        n_blocks: number of blocks L.
        n_classes: output classes.
        seed: seed of the weights (a private generator; PyTorch's default Linear initialisation).
        device: torch device (CPU by default).

    Raises:
        ValueError: for sizes < 1 or a seed outside [0, 2⁶⁴ − 1].
    """

    def __init__(self, d: int, width: int, n_blocks: int, n_classes: int, *, seed: int = 0,
                 device: str | torch.device | None = None) -> None:
        super().__init__()
        d, width = check_int("d", d, minimum=1), check_int("width", width, minimum=1)
        n_blocks, n_classes = check_int("n_blocks", n_blocks, minimum=1), check_int("n_classes", n_classes, minimum=1)
        dev = resolve_device(device)
        kw = dict(dtype=torch.float64, device=dev)
        self.inp = nn.Linear(d, width, **kw)
        self.norms = nn.ModuleList([nn.LayerNorm(width, **kw) for _ in range(n_blocks)])
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(width, width, **kw), nn.ReLU(),
                                                   nn.Linear(width, width, **kw)) for _ in range(n_blocks)])
        self.scales = nn.Parameter(torch.ones(n_blocks, **kw))
        self.out_norm = nn.LayerNorm(width, **kw)
        self.out = nn.Linear(width, n_classes, **kw)
        self.register_buffer("alive", torch.ones(n_blocks, dtype=torch.bool, device=dev))
        gen = torch.Generator().manual_seed(check_seed("seed", seed))
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, nn.Linear):
                    bound = 1.0 / np.sqrt(m.in_features)
                    for p in (m.weight, m.bias):
                        p.copy_(((torch.rand(p.shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(p))

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    @property
    def n_classes(self) -> int:
        return self.out.out_features

    def block_output(self, l: int, h: torch.Tensor) -> torch.Tensor:
        """S_l·F_l(LN_l h), block l's residual contribution."""
        return self.scales[l] * self.blocks[l](self.norms[l](h))

    def forward(self, x: torch.Tensor, *, return_residuals: bool = False):
        """Logits; with ``return_residuals`` also the list of (block input h, residual S_l F_l(LN h)) per alive
        block (``None`` for deleted blocks)."""
        h = self.inp(x)
        residuals: list = []
        for l in range(self.n_blocks):
            if not bool(self.alive[l]):
                residuals.append(None)
                continue
            r = self.block_output(l, h)
            residuals.append((h, r))
            h = h + r
        logits = self.out(self.out_norm(h))
        return (logits, residuals) if return_residuals else logits

    def residual_ratios(self, x: torch.Tensor) -> list[float]:
        """‖S_l F_l(LN h)‖_F/‖h‖_F per block on inputs ``x`` (NaN for deleted blocks)."""
        with torch.no_grad():
            _, res = self(x, return_residuals=True)
        return [float("nan") if r is None else float(r[1].norm() / r[0].norm()) for r in res]

    def without(self, blocks: Sequence[int]) -> ResidualMLP:
        """A copy with ``blocks`` deleted (skipped), nothing retrained."""
        other = copy.deepcopy(self)
        for l in blocks:
            other.alive[check_int("block", l, minimum=0, maximum=self.n_blocks - 1)] = False
        return other


def _check_model(model: object) -> ResidualMLP:
    if not isinstance(model, ResidualMLP):
        raise TypeError(f"model must be a ResidualMLP, got {type(model).__name__}")
    return model


def _check_data(model: ResidualMLP, x: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y) for ``model``: x a finite [n, d] real array (converted to float64 on the model's device), y n integer
    labels in [0, n_classes) (converted to int64)."""
    dev = model.scales.device
    x = as_inputs("x", x, device=dev, features=model.inp.in_features)
    if isinstance(y, np.ndarray):
        y = torch.from_numpy(np.ascontiguousarray(y))
    elif isinstance(y, (list, tuple)):
        y = torch.as_tensor(y)
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a tensor (or numpy array / list) of integer class labels, got {type(y).__name__}")
    if y.dtype == torch.bool or y.is_floating_point() or y.is_complex():
        raise TypeError(f"y must hold integer class labels in [0, {model.n_classes - 1}], got dtype {y.dtype}; "
                        "convert with y.long()")
    if y.dim() != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y must have shape [n] = [{x.shape[0]}] (one label per row of x), got {tuple(y.shape)}")
    lo, hi = int(y.min()), int(y.max())
    if lo < 0 or hi >= model.n_classes:
        raise ValueError(f"y must hold class labels in [0, {model.n_classes - 1}] (the model's n_classes = "
                         f"{model.n_classes}), got labels in [{lo}, {hi}]")
    return x, y.to(device=dev, dtype=torch.long)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Classification accuracy of ``model`` on (x, y)."""
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).double().mean())


def train_residual(model: ResidualMLP, x: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float = 1e-3,
                   batch_size: int = 64, gen: torch.Generator, l1: float = 0.0, l1_blocks: Sequence[int] = (),
                   identity: float = 0.0, identity_blocks: Sequence[int] = ()) -> None:
    """Adam on cross-entropy + ``l1``·Σ_{l1_blocks}|S_l| + ``identity``·Σ_{identity_blocks} mean((S_l F_l(LN h))²).

    ``x`` (real, finite, [n, d]) is converted to float64 on the model's device; ``y`` must hold n integer labels in
    [0, n_classes).

    Raises:
        TypeError: for a ``model`` that is not a :class:`ResidualMLP`, or non-integer labels ``y``.
        ValueError: for a non-positive ``lr``, negative penalties, sizes < 1, non-finite ``x``, a feature count
            other than the model's d, or labels of the wrong length or out of [0, n_classes).
    """
    model = _check_model(model)
    x, y = _check_data(model, x, y)
    epochs = check_int("epochs", epochs, minimum=0)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    l1 = check_real("l1", l1, minimum=0.0)
    identity = check_real("identity", identity, minimum=0.0)
    l1_idx = torch.as_tensor(list(l1_blocks), dtype=torch.long, device=x.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(x)
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, gen, x.device):
            logits, res = model(x[idx], return_residuals=True)
            loss = nn.functional.cross_entropy(logits, y[idx])
            if l1 > 0 and len(l1_idx):
                loss = loss + l1 * model.scales[l1_idx].abs().sum()
            if identity > 0:
                for l in identity_blocks:
                    if res[l] is not None:
                        loss = loss + identity * (res[l][1] ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()


@dataclass
class TRSPResult:
    """The models and choices of one TRSP run.

    Attributes:
        pruned: P, the blocks chosen in stage 1, in order of removal.
        scales_stage1: |S_l| at the end of stage 1 (before the last removal).
        stage1: the model after stage 1 (P off): "delete P after stage 1 only".
        stage2: the model after stage 2 with P on (for the identity ratios).
        final: the stage-2 model with P deleted (TRSP).
    """

    pruned: list[int]
    scales_stage1: list[float]
    stage1: ResidualMLP
    stage2: ResidualMLP
    final: ResidualMLP


def trsp_prune(model: ResidualMLP, x: torch.Tensor, y: torch.Tensor, n_prune: int, *, stage1_epochs: int = 5,
               lambda1: float = 5e-3, stage2_epochs: int = 10, lambda2: float = 1.0, lr: float = 1e-3,
               batch_size: int = 64, candidates: Sequence[int] | None = None, seed: int = 0) -> TRSPResult:
    """TRSP on a trained ``model`` (left unchanged): stage 1 selects ``n_prune`` blocks in as many rounds of
    ``stage1_epochs`` with the L1 penalty ``lambda1``; stage 2 trains ``stage2_epochs`` with the identity penalty
    ``lambda2`` on them; the result deletes them.

    Args:
        model: a trained :class:`ResidualMLP`.
        x: training inputs, [n, d], real and finite; converted to float64 on the model's device (the model is
            float64).
        y: training labels, n integers in [0, n_classes) (an integer tensor, numpy array or list).
        n_prune: |P|, 1 ≤ n_prune ≤ number of candidates.
        stage1_epochs: epochs per stage-1 round.
        lambda1: L1 coefficient on |S| (≥ 0).
        stage2_epochs: stage-2 epochs.
        lambda2: identity-forcing coefficient (≥ 0).
        lr: Adam step size (> 0).
        batch_size: mini-batch size.
        candidates: distinct blocks that may be pruned, at least ``n_prune`` of them (all by default; the paper's code
            excludes the first 3 and last 4).
        seed: seed of the batch order, in [0, 2⁶⁴ − 1].

    Returns:
        A :class:`TRSPResult`.

    Raises:
        TypeError: for a ``model`` that is not a :class:`ResidualMLP`, non-integer labels ``y`` or candidates.
        ValueError: for ``n_prune`` outside [1, #candidates], empty, repeated or out-of-range candidates, negative λ,
            lr ≤ 0, a bad seed, non-finite ``x``, a feature count other than the model's d, or labels of the wrong
            length or out of [0, n_classes).
    """
    model = _check_model(model)
    x, y = _check_data(model, x, y)
    if candidates is None:
        cand = list(range(model.n_blocks))
    else:
        if isinstance(candidates, (str, bytes)) or not hasattr(candidates, "__iter__"):
            raise TypeError(f"candidates must be a sequence of block indices, got {type(candidates).__name__}")
        cand = [check_int("candidates[i]", c, minimum=0, maximum=model.n_blocks - 1) for c in candidates]
        if not cand:
            raise ValueError(f"candidates must name at least n_prune blocks in [0, {model.n_blocks - 1}], got none")
        if len(set(cand)) != len(cand):
            dup = sorted({c for c in cand if cand.count(c) > 1})
            raise ValueError(f"candidates must be distinct block indices, got repeats {dup} in {cand}")
    n_prune = check_int("n_prune", n_prune)
    if not 1 <= n_prune <= len(cand):
        raise ValueError(f"n_prune must be an integer in [1, {len(cand)}] (at most the number of candidates, "
                         f"{cand}), got {n_prune}")
    lambda1 = check_real("lambda1", lambda1, minimum=0.0)
    lambda2 = check_real("lambda2", lambda2, minimum=0.0)
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
    work = copy.deepcopy(model)
    pruned: list[int] = []
    for _ in range(n_prune):
        alive = [c for c in cand if c not in pruned]
        train_residual(work, x, y, epochs=stage1_epochs, lr=lr, batch_size=batch_size, gen=gen, l1=lambda1,
                       l1_blocks=alive)
        scales = work.scales.detach().abs()
        chosen = min(alive, key=lambda c: float(scales[c]))
        scales_stage1 = [float(s) for s in scales]
        pruned.append(chosen)
        work.alive[chosen] = False
    stage1 = copy.deepcopy(work)
    work.alive[pruned] = True
    train_residual(work, x, y, epochs=stage2_epochs, lr=lr, batch_size=batch_size, gen=gen, identity=lambda2,
                   identity_blocks=pruned)
    return TRSPResult(pruned=pruned, scales_stage1=scales_stage1, stage1=stage1, stage2=work,
                      final=work.without(pruned))
