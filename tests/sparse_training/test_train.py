"""The digits workload and the masked training loop (docs/theory/dynamic_sparse_training.md#checks-planned)."""

import pytest
import torch

from theorycheck.masks.pai import layer_densities, random_masks
from theorycheck.sparse_training import CosineDropSchedule, digits_mlp, digits_split, train_sparse


def test_digits_split_is_standardised_and_seeded():
    d = digits_split()
    assert d.x_train.shape == (1437, 64) and d.x_test.shape == (360, 64)
    assert float(d.x_train.mean(0).abs().max()) < 1e-12
    assert torch.equal(digits_split(seed=3).y_test, digits_split(seed=3).y_test)
    assert not torch.equal(digits_split(seed=3).y_test, d.y_test)
    with pytest.raises(ValueError, match="n_test"):
        digits_split(n_test=0)


def test_digits_mlp_is_he_initialised():
    model = digits_mlp((64, 512, 10), seed=0)
    w = model[0].weight.detach()
    assert w.dtype == torch.float64 and abs(float(w.var()) - 2 / 64) < 0.1 * 2 / 64
    assert float(model[0].bias.detach().abs().max()) == 0.0
    with pytest.raises(ValueError, match="widths"):
        digits_mlp((64,))


def test_erk_densities_of_the_calibration_mlp():
    model = digits_mlp(seed=0)
    assert layer_densities(model, 0.1, "erk") == pytest.approx([0.103, 0.069, 0.476], abs=5e-4)


@pytest.mark.parametrize("method", ["static", "set", "rigl"])
def test_training_is_seeded_keeps_density_and_learns(method):
    data = digits_split()
    results = []
    for _ in range(2):
        model = digits_mlp(seed=1)
        masks = random_masks(model, 0.1, distribution="erk", kind="exact", seed=1)
        nnz = [int(m.sum()) for m in masks]
        sched = None if method == "static" else CosineDropSchedule(0.3, 5, 17)
        r = train_sparse(model, masks, data, method=method, schedule=sched, epochs=1, seed=1)
        assert [int(m.sum()) for m in r.final_masks] == nnz
        results.append(r)
    assert results[0].test_accuracy == results[1].test_accuracy and results[0].train_loss == results[1].train_loss
    assert len(results[0].updates) == (0 if method == "static" else 3)


def test_sparse_training_learns():
    """ERK density 0.1 without rescaling starts on a plateau (loss ≈ log 10); 4 epochs leave it well above chance."""
    model = digits_mlp(seed=1)
    r = train_sparse(model, random_masks(model, 0.1, distribution="erk", kind="exact", seed=1), digits_split(),
                     method="set", schedule=CosineDropSchedule(0.3, 5, 60), epochs=4, seed=1)
    assert r.test_accuracy > 0.3 and r.train_loss < 0.9 * torch.log(torch.tensor(10.0)).item()


def test_topology_is_recorded_at_init_and_after_every_update():
    data = digits_split()
    model = digits_mlp(seed=2)
    masks = random_masks(model, 0.1, distribution="erk", kind="exact", seed=2)
    r = train_sparse(model, masks, data, method="rigl", schedule=CosineDropSchedule(0.3, 10, 20), epochs=1, seed=2,
                     record_topology=True, control=True)
    assert [row["step"] for row in r.topology] == [0, 10, 20]
    assert all(len(row["layers"]) == len(row["control"]) == 3 for row in r.topology)


def test_training_validates_arguments():
    data = digits_split()
    model = digits_mlp(seed=0)
    masks = random_masks(model, 0.1, seed=0)
    for kw, name in ((dict(epochs=0), "epochs"), (dict(lr=0.0), "lr"), (dict(momentum=1.0), "momentum"),
                     (dict(batch_size=0), "batch_size")):
        with pytest.raises(ValueError, match=name):
            train_sparse(model, masks, data, **kw)
