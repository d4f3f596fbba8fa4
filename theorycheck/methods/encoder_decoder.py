r"""An encoder–decoder connection layer (Song 2024, arXiv 2405.08570) on a tiny random encoder–decoder transformer.

A standard encoder–decoder feeds the last encoder layer's output h_N to the cross-attention of every decoder layer.
The connection layer is a bias-free fully connected layer between the two stacks: decoder layer j cross-attends to

.. math::

    m_j = \sum_{i=1}^{N} C_{ji}\, h_i, \qquad C \in \mathbb{R}^{M \times N},

a learned mixture of the N encoder-layer outputs h_1..h_N (M decoder layers). The "original connection"
initialisation C_{ji} = [i = N] reproduces the pretrained wiring, so the modified network computes exactly the same
function (and the same gradients for every original parameter); a uniform-average initialisation C_{ji} = 1/N does
not. The exact mixing of the paper is not known (scalar per (decoder, encoder) layer pair is our reading [?]); the
paper's translation experiments (opus-mt-de-en, WMT16) need a pretrained model and downloaded data and are out of
scope. There is no theorem. Docs: ``docs/theory/beyond_kernel.md#encoder-decoder-connections``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import check_int, resolve_device

__all__ = ["EncoderDecoderConnection", "TinyEncoderDecoder", "CONNECTION_INITS", "connection_effect"]

#: initialisations of the connection matrix: "original" (the last encoder layer to every decoder layer, function
#: preserving) and "uniform" (every decoder layer averages all encoder layers).
CONNECTION_INITS = ("original", "uniform")


class EncoderDecoderConnection(nn.Module):
    r"""Bias-free mixing m_j = Σ_i C_{ji} h_i of N encoder-layer outputs into M decoder-layer memories.

    Args:
        n_encoder: N ≥ 1, the number of encoder layers.
        n_decoder: M ≥ 1, the number of decoder layers.
        init: ``"original"`` (C_{ji} = [i = N], the standard wiring; function preserving) or ``"uniform"``
            (C_{ji} = 1/N).
        dtype: parameter dtype (float64 by default).
        device: torch device (CPU by default).

    Raises:
        ValueError: for N or M < 1 or an unknown ``init``.
    """

    def __init__(self, n_encoder: int, n_decoder: int, init: str = "original", *, dtype: torch.dtype = torch.float64,
                 device: str | torch.device | None = None) -> None:
        super().__init__()
        n_encoder = check_int("n_encoder", n_encoder, minimum=1)
        n_decoder = check_int("n_decoder", n_decoder, minimum=1)
        if init not in CONNECTION_INITS:
            raise ValueError(f"init must be one of {', '.join(CONNECTION_INITS)}, got {init!r}")
        weight = torch.zeros(n_decoder, n_encoder, dtype=dtype, device=resolve_device(device))
        if init == "original":
            weight[:, -1] = 1.0
        else:
            weight.fill_(1.0 / n_encoder)
        self.init = init
        self.weight = nn.Parameter(weight)

    def forward(self, hidden: list[torch.Tensor]) -> list[torch.Tensor]:
        """Mix the encoder-layer outputs ``hidden`` (N tensors of equal shape) into M memories."""
        if len(hidden) != self.weight.shape[1]:
            raise ValueError(f"hidden must hold one tensor per encoder layer ({self.weight.shape[1]}), "
                             f"got {len(hidden)}")
        stacked = torch.stack(hidden)  # [N, ...]
        mixed = torch.tensordot(self.weight, stacked, dims=([1], [0]))  # [M, ...]
        return list(mixed.unbind(0))


class TinyEncoderDecoder(nn.Module):
    """A small post-LayerNorm encoder–decoder transformer (the Marian/opus-mt layout) with seeded random weights.

    Args:
        vocab: vocabulary size (source and target share one embedding).
        d_model: model width.
        n_heads: attention heads (must divide ``d_model``).
        n_encoder: encoder layers N.
        n_decoder: decoder layers M.
        d_ff: feed-forward width.
        max_len: longest sequence (learned positional embeddings).
        seed: seed of the weights (a private ``torch.Generator``; nothing global is touched).
        dtype: float64 by default.
        device: torch device (CPU by default).

    Raises:
        ValueError: for sizes < 1 or ``n_heads`` not dividing ``d_model``.
    """

    def __init__(self, vocab: int = 50, d_model: int = 32, n_heads: int = 4, n_encoder: int = 4, n_decoder: int = 3,
                 d_ff: int = 64, max_len: int = 32, *, seed: int = 0, dtype: torch.dtype = torch.float64,
                 device: str | torch.device | None = None) -> None:
        super().__init__()
        for name, value in (("vocab", vocab), ("d_model", d_model), ("n_heads", n_heads), ("n_encoder", n_encoder),
                            ("n_decoder", n_decoder), ("d_ff", d_ff), ("max_len", max_len)):
            check_int(name, value, minimum=1)
        if d_model % n_heads:
            raise ValueError(f"n_heads must divide d_model ({d_model}), got {n_heads}")
        dev = resolve_device(device)
        kw = dict(d_model=d_model, nhead=n_heads, dim_feedforward=d_ff, dropout=0.0, batch_first=True,
                  dtype=dtype, device=dev)
        self.embed = nn.Embedding(vocab, d_model, dtype=dtype, device=dev)
        self.position = nn.Parameter(torch.zeros(max_len, d_model, dtype=dtype, device=dev))
        self.encoder = nn.ModuleList([nn.TransformerEncoderLayer(**kw) for _ in range(n_encoder)])
        self.decoder = nn.ModuleList([nn.TransformerDecoderLayer(**kw) for _ in range(n_decoder)])
        self.readout = nn.Linear(d_model, vocab, dtype=dtype, device=dev)
        self.connection: EncoderDecoderConnection | None = None
        self.max_len = max_len
        gen = torch.Generator().manual_seed(int(check_int("seed", seed, minimum=0)))
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "norm" in name:
                    continue  # LayerNorm keeps its (1, 0) initialisation
                fan_in = p.shape[-1] if p.dim() > 1 else p.numel()
                std = 1.0 / math.sqrt(fan_in) if p.dim() > 1 else 0.1
                if name in ("embed.weight", "position"):
                    std = 1.0
                p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64).to(p) * std)

    def connect(self, init: str = "original") -> EncoderDecoderConnection:
        """Insert a connection layer initialised by ``init`` (see :class:`EncoderDecoderConnection`); returns it."""
        ref = self.readout.weight
        self.connection = EncoderDecoderConnection(len(self.encoder), len(self.decoder), init, dtype=ref.dtype,
                                                   device=ref.device)
        return self.connection

    def disconnect(self) -> None:
        """Remove the connection layer (back to the standard wiring)."""
        self.connection = None

    def _embed(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.dim() != 2 or tokens.shape[1] > self.max_len:
            raise ValueError(f"tokens must be [batch, length ≤ {self.max_len}], got shape {tuple(tokens.shape)}")
        return self.embed(tokens) + self.position[: tokens.shape[1]]

    def encoder_outputs(self, src: torch.Tensor) -> list[torch.Tensor]:
        """h_1..h_N, the output of every encoder layer, for source tokens ``src`` [batch, length]."""
        h = self._embed(src)
        out = []
        for layer in self.encoder:
            h = layer(h)
            out.append(h)
        return out

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """Logits [batch, target length, vocab] of the causal decoder reading ``tgt`` and attending to ``src``."""
        hidden = self.encoder_outputs(src)
        if self.connection is None:
            memories = [hidden[-1]] * len(self.decoder)
        else:
            memories = self.connection(hidden)
        y = self._embed(tgt)
        causal = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1], device=y.device, dtype=y.dtype)
        for layer, memory in zip(self.decoder, memories):
            y = layer(y, memory, tgt_mask=causal, tgt_is_causal=True)
        return self.readout(y)


def connection_effect(model: TinyEncoderDecoder, src: torch.Tensor, tgt: torch.Tensor, labels: torch.Tensor,
                      init: str) -> dict[str, float]:
    """How inserting a connection layer initialised by ``init`` changes the model's output and gradients.

    Args:
        model: the encoder–decoder (its current connection is restored afterwards).
        src: source tokens [batch, length].
        tgt: target input tokens [batch, length'].
        labels: next-token labels [batch, length'] for the cross-entropy loss whose gradients are compared.
        init: the connection's initialisation (``"original"`` or ``"uniform"``).

    Returns:
        ``max_abs_change`` (max |Δ logits|), ``rel_change`` (‖Δ logits‖_F/‖logits‖_F) and ``grad_rel_change``
        (‖Δ∇‖/‖∇‖ over every original parameter of the cross-entropy loss).
    """
    saved = model.connection
    params = [p for n, p in model.named_parameters() if not n.startswith("connection")]

    def run() -> tuple[torch.Tensor, torch.Tensor]:
        logits = model(src, tgt)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
        grads = torch.autograd.grad(loss, params)
        return logits.detach(), torch.cat([g.reshape(-1) for g in grads])

    try:
        model.disconnect()
        y0, g0 = run()
        model.connect(init)
        y1, g1 = run()
    finally:
        model.connection = saved
    return {"max_abs_change": float((y1 - y0).abs().max()), "rel_change": float((y1 - y0).norm() / y0.norm()),
            "grad_rel_change": float((g1 - g0).norm() / g0.norm())}
