"""Claims on the encoder–decoder connection layer (Song 2024; ``docs/theory/beyond_kernel.md``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Check, Claim, ClaimResult, Context, register

__all__ = ["EncDecConfig", "connection_point"]

DOCS = "docs/theory/beyond_kernel.md#encoder-decoder-connections"
#: one unit of round-off in float64: "unchanged" means within this relative distance
UNIT = 2.0**-52


@dataclass(frozen=True)
class EncDecConfig:
    """``seeds`` random encoder–decoders (d_model, heads, N encoder + M decoder layers, feed-forward width, shared
    vocabulary) on a random batch of ``batch`` source/target sequences; the uniform initialisation must change the
    output by at least ``min_uniform_change`` relative."""

    d_model: int
    n_heads: int
    n_encoder: int
    n_decoder: int
    d_ff: int
    vocab: int
    batch: int
    src_len: int
    tgt_len: int
    seeds: int
    min_uniform_change: float = 0.05


CONFIGS = {
    "small": EncDecConfig(d_model=32, n_heads=4, n_encoder=4, n_decoder=3, d_ff=64, vocab=50, batch=8, src_len=12,
                          tgt_len=10, seeds=5),
    # the opus-mt-de-en (Marian) shape: 6 + 6 layers, d_model 512, 8 heads, d_ff 2048, vocabulary 58101
    "paper": EncDecConfig(d_model=512, n_heads=8, n_encoder=6, n_decoder=6, d_ff=2048, vocab=58101, batch=16,
                          src_len=64, tgt_len=64, seeds=5),
}


def connection_point(seed: int, d_model: int, n_heads: int, n_encoder: int, n_decoder: int, d_ff: int, vocab: int,
                     batch: int, src_len: int, tgt_len: int, device: str) -> dict:
    """One random encoder–decoder: the effect of each connection initialisation (a sweep point)."""
    import torch

    from ..methods.encoder_decoder import TinyEncoderDecoder, connection_effect
    max_len = max(src_len, tgt_len)
    model = TinyEncoderDecoder(vocab, d_model, n_heads, n_encoder, n_decoder, d_ff, max_len, seed=seed, device=device)
    gen = torch.Generator().manual_seed(seed + 1)
    src, tgt, labels = (torch.randint(0, vocab, (batch, n), generator=gen).to(device)
                        for n in (src_len, tgt_len, tgt_len))
    return {init: connection_effect(model, src, tgt, labels, init) for init in ("original", "uniform")}


def _measure(cfg: EncDecConfig, ctx: Context) -> dict:
    from ..nn.monte_carlo import child_seeds
    seeds = child_seeds(ctx.seed + 70, cfg.seeds)
    fields = {k: getattr(cfg, k) for k in ("d_model", "n_heads", "n_encoder", "n_decoder", "d_ff", "vocab", "batch",
                                           "src_len", "tgt_len")}
    rows = ctx.sweep(connection_point, [dict(seed=s, device=str(ctx.device), **fields) for s in seeds],
                     "encoder–decoder connection (seeds)")
    out = {f"{init}_{k}": [r["result"][init][k] for r in rows] for init in ("original", "uniform")
           for k in ("max_abs_change", "rel_change", "grad_rel_change")}
    return dict(out, seeds=seeds)


def _judge(cfg: EncDecConfig, d: dict) -> list[Check]:
    return [
        Check("original-connection init leaves the output unchanged", max(d["original_rel_change"]), UNIT, "<=",
              "max over seeds of ‖logits(with layer) − logits(without)‖_F/‖logits‖_F"),
        Check("original-connection init leaves every original gradient unchanged",
              max(d["original_grad_rel_change"]), 64 * UNIT, "<=",
              "max over seeds of ‖Δ∇L‖/‖∇L‖ over the original parameters (summation-order round-off allowed)"),
        Check("uniform-average init changes the output", min(d["uniform_rel_change"]), cfg.min_uniform_change, ">=",
              "min over seeds of ‖Δ logits‖_F/‖logits‖_F with C_ji = 1/N"),
    ]


def _summary(cfg: EncDecConfig, d: dict) -> str:
    return (f"original init: max rel. output change {max(d['original_rel_change']):.2g} (≤ 2^-52), gradient "
            f"{max(d['original_grad_rel_change']):.2g} (≤ 64·2^-52); uniform init: rel. change "
            f"{min(d['uniform_rel_change']):.3f}–{max(d['uniform_rel_change']):.3f} (≥ {cfg.min_uniform_change})")


def _plot(result: ClaimResult, others: dict) -> list:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    n = len(d["seeds"])
    floor = 1e-18
    for k, (key, label) in enumerate((("original_rel_change", "original: output"),
                                      ("original_grad_rel_change", "original: gradients"),
                                      ("uniform_rel_change", "uniform: output"),
                                      ("uniform_grad_rel_change", "uniform: gradients"))):
        ax.scatter(np.full(n, k) + np.linspace(-0.15, 0.15, n), np.maximum(d[key], floor), s=14, label=label)
    ax.axhline(UNIT, color="C3", ls=":", label="2^-52 (one ulp)")
    ax.set_yscale("log")
    ax.set_xticks(range(4), ["orig out", "orig grad", "unif out", "unif grad"])
    ax.set_ylabel(f"relative change (clipped at {floor:g})")
    ax.set_title("Inserting the encoder–decoder connection layer", fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    return [("encdec.function_preserving_init.png", fig)]


register(Claim(
    id="encdec.function_preserving_init",
    title="The original-connection initialisation of the encoder–decoder connection layer preserves the function",
    statement=lambda cfg: (
        f"On {cfg.seeds} random post-LN encoder–decoder transformers (d_model {cfg.d_model}, {cfg.n_heads} heads, "
        f"{cfg.n_encoder} encoder + {cfg.n_decoder} decoder layers, float64), inserting the bias-free connection "
        "m_j = Σ_i C_ji h_i with C_ji = [i = N] leaves the logits unchanged to one ulp and every original "
        f"parameter's gradient to round-off, while C_ji = 1/N changes the logits by ≥ {cfg.min_uniform_change:g} "
        "relative."),
    source="Song 2024, 'Rethinking the adaptive relationship between Encoder Layers and Decoder Layers' "
           "(arXiv 2405.08570), §3 (no theorem)",
    docs=DOCS,
    verification="[?]",
    assumptions=(
        "[?] the mixing is one scalar per (decoder layer, encoder layer) pair, our reading of the paper; the identity "
        "holds for a per-feature mixing too",
        "random weights: the paper's pretrained Helsinki-NLP/opus-mt-de-en model and its WMT16 de-en fine-tuning and "
        "retraining experiments are out of scope (they need a pretrained model and downloaded data)",
        "the 'GCA' initialisation of the paper is not reproduced; a uniform average stands in as the non-preserving "
        "initialisation",
    ),
    configs=CONFIGS,
    measure=_measure,
    judge=_judge,
    summarize=_summary,
    plot=_plot,
    symbolic=lambda: r"m_j = \sum_{i=1}^{N} C_{ji} h_i,\quad C_{ji} = [i = N] \Rightarrow m_j = h_N",
))
