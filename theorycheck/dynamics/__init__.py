"""Training-dynamics simulations of small sparse networks, one module per source:

* :mod:`.pruning_before_training`: the signal-plus-noise patch model and a randomly pruned two-layer network
  trained by full-batch GD on the logistic loss (Yang, Liang, Guo, Wu, Wang;
  ``docs/theory/pruning_before_training.md``);
* :mod:`.lottery`: teacher–student one-hidden-layer ReLU regression with planted masks, GD / accelerated GD from a
  local initialisation and the restricted Hessian at the teacher (Zhang et al. 2021;
  ``docs/theory/lottery_tickets.md``).

Simulation layer: imports the foundation only (never specs, claims or the report).
"""

from .lottery import (
    TeacherStudent,
    TrainResult,
    hessian_at_teacher,
    planted_masks,
    restricted_hessian_min_eig,
    train_student,
)
from .pruning_before_training import (
    PBTRecord,
    PrunedTwoLayerNet,
    SignalNoiseData,
    effective_noise_dim,
    effective_noise_dim_monte_carlo,
    signal_noise_data,
    train_pruned_two_layer,
)

__all__ = [
    "PBTRecord", "PrunedTwoLayerNet", "SignalNoiseData", "effective_noise_dim", "effective_noise_dim_monte_carlo",
    "signal_noise_data", "train_pruned_two_layer",
    "TeacherStudent", "TrainResult", "planted_masks", "train_student", "hessian_at_teacher",
    "restricted_hessian_min_eig",
]
