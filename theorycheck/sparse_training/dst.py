r"""Dynamic sparse training (SET and RigL) for any module with Linear/Conv2d layers.

``docs/theory/dynamic_sparse_training.md#update-rules``. At every update step t of the schedule
(:class:`~theorycheck.sparse_training.schedule.CosineDropSchedule`), each sparse layer with nnz_l connections:

1. **drops** the k = int(f(t)·nnz_l) active connections with the smallest |W| (ties broken uniformly at random);
2. **grows** k connections among the positions that are inactive after the drop (so a just-dropped connection may come
   back): uniformly at random (SET; Mocanu et al., Nat. Commun. 2018, as in the RigL repository) or the k largest
   |∂L/∂(W⊙M)| on the current batch (RigL; Evci et al., ICML 2020, Alg. 1);
3. sets every **new** connection (active now, inactive before the update) to 0 and resets its optimiser state
   (momentum, Adam moments) to 0; a dropped-and-regrown connection keeps its weight, as in RigL's code.

So nnz_l is preserved **exactly**. Between updates the gradient is masked before the optimiser step and the optimiser
state is zero at pruned positions, so pruned weights stay exactly zero without re-masking (this is checked, not
enforced, by the per-update :class:`UpdateRecord`).

The authors' own DST code (``sparselearning``) grows Bernoulli(k/#zeros) instead, which preserves nnz only in
expectation: :func:`bernoulli_regrow` reproduces it for the negative control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import nn

from .._validation import check_int
from ..masks.pai import prunable_parameters
from .schedule import CosineDropSchedule

__all__ = ["METHODS", "magnitude_drop", "drop_and_grow", "bernoulli_regrow", "UpdateRecord", "SparseTrainer"]

#: ``static``: the mask never changes (pruning at initialisation); ``set`` and ``rigl``: dynamic sparse training.
METHODS = ("static", "set", "rigl")


def _ordered(keys: torch.Tensor, generator: torch.Generator, descending: bool) -> torch.Tensor:
    """Indices of a flat tensor sorted by ``keys`` with ties broken uniformly at random (seeded)."""
    perm = torch.randperm(keys.numel(), generator=generator).to(keys.device)
    order = torch.sort(keys[perm], descending=descending, stable=True).indices
    return perm[order]


def magnitude_drop(weight: torch.Tensor, mask: torch.Tensor, k: int, *,
                   generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop the k active connections with the smallest |W| (ties uniformly at random).

    Returns:
        (mask after the drop, flat indices dropped).

    Raises:
        ValueError: for shapes that differ or k outside [0, nnz].
    """
    if weight.shape != mask.shape:
        raise ValueError(f"weight and mask must have one shape, got {tuple(weight.shape)} and {tuple(mask.shape)}")
    flat = mask.detach().reshape(-1).to(torch.float64)
    active = flat > 0
    k = check_int("k", k, minimum=0, maximum=int(active.sum()))
    new = flat.clone()
    if k == 0:
        return new.reshape(mask.shape).to(mask.dtype), torch.empty(0, dtype=torch.long, device=flat.device)
    idx = torch.nonzero(active).reshape(-1)
    dropped = idx[_ordered(weight.detach().reshape(-1)[idx].abs().to(torch.float64), generator, descending=False)[:k]]
    new[dropped] = 0.0
    return new.reshape(mask.shape).to(mask.dtype), dropped


def drop_and_grow(weight: torch.Tensor, mask: torch.Tensor, k: int, *, grow_score: torch.Tensor | None = None,
                  generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One layer's mask update: drop the k smallest |W| among active connections, grow k among the rest.

    Args:
        weight: the layer's weight (any shape; zero where pruned).
        mask: its 0/1 mask (same shape).
        k: connections to drop and grow, 0 ≤ k ≤ nnz.
        grow_score: score of every position for growth (largest first; RigL: |∂L/∂(W⊙M)|); ``None`` grows uniformly
            at random among the inactive positions (SET).
        generator: CPU ``torch.Generator`` for the tie-breaks and the random growth.

    Returns:
        (new mask, flat indices dropped, flat indices grown). The grown set may contain just-dropped positions.

    Raises:
        ValueError: for shapes that differ or k outside [0, nnz].
    """
    if grow_score is not None and grow_score.shape != mask.shape:
        raise ValueError(f"grow_score must have the mask's shape {tuple(mask.shape)}, got {tuple(grow_score.shape)}")
    after, dropped = magnitude_drop(weight, mask, k, generator=generator)
    if k == 0:
        return after, dropped, dropped
    new = after.reshape(-1).to(torch.float64).clone()
    cands = torch.nonzero(new == 0).reshape(-1)
    if grow_score is None:  # SET: uniformly at random among the candidates
        grown = cands[torch.randperm(cands.numel(), generator=generator)[:k].to(cands.device)]
    else:  # RigL: the largest scores, ties at random
        score = grow_score.detach().reshape(-1)[cands].to(torch.float64).abs()
        grown = cands[_ordered(score, generator, descending=True)[:k]]
    new[grown] = 1.0
    return new.reshape(mask.shape).to(mask.dtype), dropped, grown


def bernoulli_regrow(mask_after_drop: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """The ``sparselearning`` random growth: every inactive position grows with probability k/#zeros, so the number
    grown is Binomial(#zeros, k/#zeros): k only in expectation (Hoang et al.'s DST code; the negative control of
    ``docs/theory/dynamic_sparse_training.md#checks-planned``)."""
    flat = mask_after_drop.detach().reshape(-1).to(torch.float64)
    zeros = flat == 0
    n_zeros = int(zeros.sum())
    k = check_int("k", k, minimum=0, maximum=n_zeros)
    if k == 0:
        return mask_after_drop.clone()
    u = torch.rand(flat.shape, generator=generator, dtype=torch.float64)
    grown = zeros & (u < k / n_zeros)
    return torch.where(grown, torch.ones_like(flat), flat).reshape(mask_after_drop.shape).to(mask_after_drop.dtype)


@dataclass(frozen=True)
class UpdateRecord:
    """What one mask update did, per layer, and the invariants measured around it.

    ``*_before`` values are measured just before the update (after ``interval`` optimiser steps without re-masking),
    the rest just after. Every ``max_*`` entry is exactly 0 for a correct implementation.
    """

    step: int
    fraction: float
    k: list[int]
    nnz_initial: list[int]
    nnz_before: list[int]
    nnz_after: list[int]
    n_new: list[int]
    max_pruned_weight_before: list[float]
    max_pruned_state_before: list[float]
    max_pruned_weight_after: list[float]
    max_new_weight: list[float]
    max_new_state: list[float]

    def to_json(self) -> dict:
        return asdict(self)


def _state_tensors(optimizer: torch.optim.Optimizer, p: torch.Tensor) -> list[torch.Tensor]:
    state = optimizer.state.get(p, {})
    return [v for v in state.values() if isinstance(v, torch.Tensor) and v.shape == p.shape]


class SparseTrainer:
    """Keeps a model's Linear/Conv2d weights sparse through training, updating the masks by SET or RigL.

    Usage (one call per optimiser step, after ``loss.backward()``)::

        trainer = SparseTrainer(model, optimizer, masks, method="rigl", schedule=CosineDropSchedule(0.3, 25, 345))
        for x, y in batches:
            optimizer.zero_grad(); loss_fn(model(x), y).backward()
            trainer.step()        # masks the gradient, steps the optimiser, updates the masks on schedule

    At an update step the optimiser step comes first and the mask update uses this batch's dense gradient (taken
    before masking). ``docs/theory/dynamic_sparse_training.md#update-rules``.

    Args:
        model: any ``nn.Module`` with Linear/Conv2d layers (every one is sparse, in module order).
        optimizer: the optimiser over the model's parameters (its per-parameter state is kept zero at pruned
            positions).
        masks: one 0/1 mask per prunable weight (shape of the weight); the weights are multiplied by them now.
        method: ``"static"``, ``"set"`` or ``"rigl"``.
        schedule: the drop schedule (needed unless static).
        seed: seed of the tie-breaks and SET's random growth.
        on_update: optional ``callback(trainer, record)`` after every update (e.g. topology recording).

    Raises:
        ValueError: for an unknown method, a missing schedule, or masks of the wrong number/shape/values.
        TypeError: for a model that is not an ``nn.Module`` or a schedule of another type.
    """

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer, masks: list[torch.Tensor], *,
                 method: str = "set", schedule: CosineDropSchedule | None = None, seed: int = 0,
                 on_update: Callable[[SparseTrainer, UpdateRecord], None] | None = None) -> None:
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        if method != "static" and schedule is None:
            raise ValueError(f"method {method!r} needs a schedule (a CosineDropSchedule)")
        if schedule is not None and not isinstance(schedule, CosineDropSchedule):
            raise TypeError(f"schedule must be a CosineDropSchedule, got {type(schedule).__name__}")
        self.model, self.optimizer, self.method, self.schedule = model, optimizer, method, schedule
        self.names, self.params = zip(*prunable_parameters(model))
        masks = list(masks)
        if len(masks) != len(self.params):
            raise ValueError(f"masks must hold one mask per prunable layer ({len(self.params)}), got {len(masks)}")
        self.masks = []
        for name, p, m in zip(self.names, self.params, masks):
            m = torch.as_tensor(m)
            if tuple(m.shape) != tuple(p.shape):
                raise ValueError(f"mask of {name} must have the weight's shape {tuple(p.shape)}, got {tuple(m.shape)}")
            if not bool(((m == 0) | (m == 1)).all()):
                raise ValueError(f"mask of {name} must contain only 0 and 1")
            self.masks.append(m.detach().to(device=p.device, dtype=p.dtype).clone())
        self.generator = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
        self.on_update = on_update
        self.nnz_initial = [int(m.sum()) for m in self.masks]
        self.t = 0
        self.updates: list[UpdateRecord] = []
        with torch.no_grad():
            for p, m in zip(self.params, self.masks):
                p.mul_(m)
                for s in _state_tensors(optimizer, p):
                    s.mul_(m)

    @property
    def densities(self) -> list[float]:
        """Current density of every sparse layer."""
        return [float(m.sum()) / m.numel() for m in self.masks]

    def step(self) -> UpdateRecord | None:
        """Mask the gradients, take the optimiser step and, on an update step, update the masks (returns its record)."""
        self.t += 1
        update = self.method != "static" and self.schedule.is_update(self.t)
        dense = [None if p.grad is None else p.grad.detach().clone() for p in self.params] if update else None
        for p, m in zip(self.params, self.masks):
            if p.grad is not None:
                p.grad.mul_(m)
        self.optimizer.step()
        return self.update(dense) if update else None

    @torch.no_grad()
    def update(self, dense_grads: list[torch.Tensor | None] | None = None) -> UpdateRecord:
        """Drop and regrow every layer at the current step (RigL needs this batch's dense gradients)."""
        f = self.schedule.fraction(self.t)
        rec: dict[str, list] = {k: [] for k in ("k", "nnz_before", "nnz_after", "n_new", "max_pruned_weight_before",
                                                 "max_pruned_state_before", "max_pruned_weight_after",
                                                 "max_new_weight", "max_new_state")}
        for i, (p, m) in enumerate(zip(self.params, self.masks)):
            states = _state_tensors(self.optimizer, p)
            off = m == 0
            rec["nnz_before"].append(int(m.sum()))
            rec["max_pruned_weight_before"].append(float(p[off].abs().max()) if off.any() else 0.0)
            rec["max_pruned_state_before"].append(max([float(s[off].abs().max()) for s in states if off.any()],
                                                      default=0.0))
            k = self.schedule.n_drop(self.t, int(m.sum()))
            score = None
            if self.method == "rigl":
                g = None if dense_grads is None else dense_grads[i]
                if g is None:
                    raise ValueError("RigL growth needs the dense gradient of every sparse layer on this batch")
                score = g.abs()
            new_mask, _, _ = drop_and_grow(p, m, k, grow_score=score, generator=self.generator)
            new_conn = (new_mask > 0) & (m == 0)
            p.mul_(new_mask)
            p[new_conn] = 0.0
            for s in states:
                s.mul_(new_mask)
                s[new_conn] = 0.0
            m.copy_(new_mask)
            off = m == 0
            rec["k"].append(k)
            rec["nnz_after"].append(int(m.sum()))
            rec["n_new"].append(int(new_conn.sum()))
            rec["max_pruned_weight_after"].append(float(p[off].abs().max()) if off.any() else 0.0)
            rec["max_new_weight"].append(float(p[new_conn].abs().max()) if new_conn.any() else 0.0)
            rec["max_new_state"].append(max([float(s[new_conn].abs().max()) for s in states if new_conn.any()],
                                            default=0.0))
        record = UpdateRecord(step=self.t, fraction=f, nnz_initial=list(self.nnz_initial), **rec)
        self.updates.append(record)
        if self.on_update is not None:
            self.on_update(self, record)
        return record
