"""The digits images (8×8, shipped with scikit-learn) and SGD on the MSE loss for CONV-L-H networks, logging the
train/test error, the generalisation gap and both norm bounds along training (``docs/theory/norm_bounds.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_real
from ..data import digits_arrays
from ..nn.training import minibatches
from .convnet import ConvNetWN
from .norm_bounds import golowich_total_bound, our_total_bound

__all__ = ["digits_images", "ConvTrainRecord", "train_convnet"]


def digits_images(seed: int, n_train: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """scikit-learn's digits as [n, 1, 8, 8] images in [0, 1] (pixel/16, as ``to_tensor`` scales MNIST), split at
    random into ``n_train`` training images and the rest (of 1797) for testing.

    Returns:
        (x_train, y_train, x_test, y_test), labels as int64 class indices.

    Raises:
        ValueError: ``n_train`` outside [1, 1796].
    """
    _, images, target = digits_arrays()
    n_train = check_int("n_train", n_train, minimum=1, maximum=len(target) - 1)
    x = torch.tensor(images / 16.0, dtype=torch.float64)[:, None]
    y = torch.tensor(target, dtype=torch.int64)
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(check_int("seed", seed, minimum=0)))
    tr, te = perm[:n_train], perm[n_train:]
    return x[tr], y[tr], x[te], y[te]


@dataclass
class ConvTrainRecord:
    """Per logged epoch: train/test error, gap = test − train error, MSE loss and both bounds' terms."""

    epochs: list[int] = field(default_factory=list)
    train_error: list[float] = field(default_factory=list)
    test_error: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    ours: list[dict] = field(default_factory=list)
    golowich: list[dict] = field(default_factory=list)

    @property
    def gap(self) -> list[float]:
        return [te - tr for tr, te in zip(self.train_error, self.test_error)]

    def to_json(self) -> dict:
        return {"epochs": self.epochs, "train_error": self.train_error, "test_error": self.test_error,
                "gap": self.gap, "loss": self.loss, "ours": self.ours, "golowich": self.golowich}


@torch.no_grad()
def _error(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((net(x).argmax(dim=1) != y).to(torch.float64).mean())


def train_convnet(net: ConvNetWN, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor, *,
                  epochs: int, lr: float = 0.01, batch_size: int = 32, momentum: float = 0.9,
                  weight_decay: float = 3e-3, seed: int = 0, record_every: int = 1) -> ConvTrainRecord:
    """SGD on the MSE loss to one-hot targets (the authors' set-up); logs both bounds every ``record_every`` epochs
    (and at epoch 0, before training).

    Raises:
        ValueError/TypeError: non-positive epochs/lr/batch size, labels that do not match the images.
    """
    epochs = check_int("epochs", epochs, minimum=0)
    lr = check_real("lr", lr, minimum=0.0, min_inclusive=False)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    momentum = check_real("momentum", momentum, minimum=0.0, maximum=1.0, max_inclusive=False)
    weight_decay = check_real("weight_decay", weight_decay, minimum=0.0)
    record_every = check_int("record_every", record_every, minimum=1)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must hold one label per image ({x.shape[0]}), got shape {tuple(y.shape)}")
    dev = next(net.parameters()).device
    x, y, x_test, y_test = x.to(dev), y.to(dev), x_test.to(dev), y_test.to(dev)
    target = nn.functional.one_hot(y, net.num_classes).to(torch.float64)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    rec = ConvTrainRecord()

    def log(epoch: int) -> None:
        with torch.no_grad():
            loss = float(((net(x) - target) ** 2).sum(dim=1).mean())
        rec.epochs.append(epoch)
        rec.loss.append(loss)
        rec.train_error.append(_error(net, x, y))
        rec.test_error.append(_error(net, x_test, y_test))
        rec.ours.append(our_total_bound(net, x).to_json())
        rec.golowich.append(golowich_total_bound(net, x).to_json())

    log(0)
    for epoch in range(1, epochs + 1):
        for idx in minibatches(x.shape[0], batch_size, g, dev):
            opt.zero_grad()
            loss = ((net(x[idx]) - target[idx]) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()
        if not np.isfinite(float(loss.detach())):
            raise ValueError(f"training diverged at epoch {epoch} (lr={lr:g})")
        if epoch % record_every == 0 or epoch == epochs:
            log(epoch)
    return rec
