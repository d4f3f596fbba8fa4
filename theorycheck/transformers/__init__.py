"""Training dynamics of small transformers (Yang, Kailkhura, Wang, Liang, NeurIPS 2024).

Docs: ``docs/theory/transformer_cooccurrence.md``."""

from .cooccurrence import (
    INITS,
    PARAMETERS,
    TYPES,
    CooccurrenceData,
    CooccurrenceTransformer,
    Recorder,
    analytic_gradients,
    make_cooccurrence_data,
    train_cooccurrence,
)

__all__ = ["CooccurrenceData", "make_cooccurrence_data", "CooccurrenceTransformer", "analytic_gradients",
           "Recorder", "train_cooccurrence", "TYPES", "INITS", "PARAMETERS"]
