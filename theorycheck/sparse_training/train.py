r"""Train a masked classifier by minibatch SGD with momentum, statically or with SET/RigL, and record the topology.

``docs/theory/dynamic_sparse_training.md#checks-planned``. Cross-entropy loss; one :class:`SparseTrainer` step per
minibatch (so the schedule counts optimiser steps); every update's :class:`UpdateRecord` is kept and, with
``record_topology``, every layer's full-spectrum coordinate (and, with ``control``, a fresh random control of the
same nnz) at initialisation and after every update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .._validation import check_int, check_real
from ..nn.training import minibatches
from .coordinates import layer_coordinates, random_control
from .data import DigitsSplit
from .dst import SparseTrainer
from .schedule import CosineDropSchedule

__all__ = ["SparseTrainingResult", "train_sparse", "accuracy"]


@dataclass
class SparseTrainingResult:
    """Test accuracy, final training loss, per-update records and (optionally) per-update topology.

    ``topology[j]`` is ``{"step": t, "layers": [coordinate dict per layer], "control": [dict per layer]}``, j = 0 at
    initialisation and j ≥ 1 after the j-th update.
    """

    test_accuracy: float
    train_loss: float
    steps: int
    updates: list[dict] = field(default_factory=list)
    topology: list[dict] = field(default_factory=list)
    final_masks: list[torch.Tensor] = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {"test_accuracy": self.test_accuracy, "train_loss": self.train_loss, "steps": self.steps,
                "updates": self.updates, "topology": self.topology}


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose arg-max logit equals the label."""
    return float((model(x).argmax(dim=1) == y).to(torch.float64).mean())


def train_sparse(model: nn.Module, masks: list[torch.Tensor], data: DigitsSplit, *, method: str = "static",
                 schedule: CosineDropSchedule | None = None, epochs: int = 20, lr: float = 0.05,
                 momentum: float = 0.9, batch_size: int = 64, seed: int = 0, record_topology: bool = False,
                 control: bool = False) -> SparseTrainingResult:
    """Train ``model`` in place with its prunable weights masked, by SGD with momentum on the cross-entropy.

    Args:
        model: a classifier with Linear/Conv2d layers (logits out), on the data's device.
        masks: one 0/1 mask per prunable weight.
        data: the training and test sets.
        method: ``"static"``, ``"set"`` or ``"rigl"``.
        schedule: the drop schedule (``None``: static).
        epochs: passes over the training set (≥ 1); the minibatches are reshuffled each epoch.
        lr: learning rate (> 0).
        momentum: SGD momentum in [0, 1).
        batch_size: minibatch size (≥ 1).
        seed: seed of the minibatch order and of the trainer's random choices.
        record_topology: record every layer's full-spectrum coordinate at init and after every update.
        control: with ``record_topology``, also a random control (same nnz, shuffled |W|) of every layer.

    Returns:
        The :class:`SparseTrainingResult`.

    Raises:
        ValueError / TypeError: for arguments out of range (named).
    """
    epochs = check_int("epochs", epochs, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    momentum = check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_inclusive=False)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    topology: list[dict] = []
    control_gen = torch.Generator().manual_seed(seed + 7919)

    def snapshot(trainer: SparseTrainer, record=None) -> None:
        row = {"step": trainer.t, "layers": layer_coordinates(trainer.masks, trainer.params)}
        if control:
            row["control"] = [random_control(m, p, control_gen) for m, p in zip(trainer.masks, trainer.params)]
        topology.append(row)

    trainer = SparseTrainer(model, optimizer, masks, method=method, schedule=schedule, seed=seed,
                            on_update=snapshot if record_topology else None)
    if record_topology:
        snapshot(trainer)
    gen = torch.Generator().manual_seed(seed)
    n = data.x_train.shape[0]
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for idx in minibatches(n, batch_size, gen, data.x_train.device):
            optimizer.zero_grad(set_to_none=False)
            loss_fn(model(data.x_train[idx]), data.y_train[idx]).backward()
            trainer.step()
    model.eval()
    with torch.no_grad():
        train_loss = float(loss_fn(model(data.x_train), data.y_train))
    return SparseTrainingResult(test_accuracy=accuracy(model, data.x_test, data.y_test), train_loss=train_loss,
                                steps=trainer.t, updates=[u.to_json() for u in trainer.updates], topology=topology,
                                final_masks=[m.detach().cpu().clone() for m in trainer.masks])
