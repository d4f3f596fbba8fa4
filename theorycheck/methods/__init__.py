"""Sparse-training and architecture methods of the seed literature that have no theorem (simulation side):
reproducible implementations whose checks can fail. Docs: ``docs/theory/beyond_kernel.md``.

* :mod:`.relchanet`: RelChaNet feature selection (input-neuron prune-and-regrow, Zimmer 2024);
* :mod:`.trsp`: two-stage regularised structured pruning of residual blocks (Feng, Wu et al.);
* :mod:`.sparse_first_layer`: dense/random/spatial first layers at equal nonzeros and the spatial graphon
  (Davelouis, Martin, Bowling 2025);
* :mod:`.encoder_decoder`: the encoder–decoder connection layer (Song 2024);
* :mod:`.data`: the digits and planted-classification workloads.

Imports the foundation, the kernels, ``nn`` and ``masks``; never the specs or the claims.
"""

from .encoder_decoder import CONNECTION_INITS, EncoderDecoderConnection, TinyEncoderDecoder, connection_effect
from .relchanet import RelChaNetResult, relative_change, select_features
from .sparse_first_layer import (
    first_layer_mask,
    fixed_features_accuracy,
    learned_accuracy,
    n_patches,
    spatial_graphon,
    units_at_budget,
)
from .trsp import ResidualMLP, TRSPResult, train_residual, trsp_prune

__all__ = [
    "CONNECTION_INITS", "EncoderDecoderConnection", "TinyEncoderDecoder", "connection_effect",
    "RelChaNetResult", "relative_change", "select_features",
    "first_layer_mask", "fixed_features_accuracy", "learned_accuracy", "n_patches", "spatial_graphon",
    "units_at_budget",
    "ResidualMLP", "TRSPResult", "train_residual", "trsp_prune",
]
