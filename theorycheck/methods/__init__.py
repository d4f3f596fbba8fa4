"""Sparse-training and architecture methods of the seed literature that have no theorem (simulation side):
reproducible implementations whose checks can fail. Docs: ``docs/theory/beyond_kernel.md``.

Imports the foundation, the kernels, ``nn`` and ``masks``; never the specs or the claims.
"""

from .encoder_decoder import CONNECTION_INITS, EncoderDecoderConnection, TinyEncoderDecoder, connection_effect

__all__ = ["CONNECTION_INITS", "EncoderDecoderConnection", "TinyEncoderDecoder", "connection_effect"]
