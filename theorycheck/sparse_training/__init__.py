"""Dynamic sparse training (SET, RigL) with exact per-layer density, PAGS mask selection and the full-spectrum
topology record (``docs/theory/dynamic_sparse_training.md``). Simulation side: imports the foundation, nn and masks,
never specs or claims."""

from .coordinates import (
    COORDINATES,
    held_out_correlation,
    layer_coordinates,
    pearson_weights,
    random_control,
    weighted_distance,
)
from .data import DigitsSplit, digits_mlp, digits_split
from .dst import METHODS, SparseTrainer, UpdateRecord, bernoulli_regrow, drop_and_grow, magnitude_drop
from .pags import PagsResult, pags_select
from .schedule import CosineDropSchedule
from .train import SparseTrainingResult, accuracy, train_sparse

__all__ = [
    "COORDINATES", "CosineDropSchedule", "DigitsSplit", "METHODS", "PagsResult", "SparseTrainer",
    "SparseTrainingResult", "UpdateRecord", "accuracy", "bernoulli_regrow", "digits_mlp", "digits_split",
    "drop_and_grow", "held_out_correlation", "layer_coordinates", "magnitude_drop", "pags_select",
    "pearson_weights", "random_control", "train_sparse", "weighted_distance",
]
