"""The encoder–decoder connection layer (Song 2024): function-preserving initialisation on a random model."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theorycheck.methods.encoder_decoder import EncoderDecoderConnection, TinyEncoderDecoder, connection_effect


def _batch(seed, vocab=20, batch=3, src=7, tgt=5):
    g = torch.Generator().manual_seed(seed)
    return (torch.randint(0, vocab, (batch, src), generator=g), torch.randint(0, vocab, (batch, tgt), generator=g),
            torch.randint(0, vocab, (batch, tgt), generator=g))


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), n_enc=st.integers(1, 4), n_dec=st.integers(1, 3))
def test_original_connection_preserves_output_and_gradients(seed, n_enc, n_dec):
    model = TinyEncoderDecoder(vocab=20, d_model=16, n_heads=2, n_encoder=n_enc, n_decoder=n_dec, d_ff=24, seed=seed)
    eff = connection_effect(model, *_batch(seed), "original")
    assert eff["max_abs_change"] == 0.0
    assert eff["grad_rel_change"] <= 64 * 2.0**-52


def test_uniform_connection_changes_the_output_and_a_perturbed_original_is_detected():
    model = TinyEncoderDecoder(vocab=20, d_model=16, n_heads=2, n_encoder=3, n_decoder=2, d_ff=24, seed=1)
    src, tgt, _ = _batch(1)
    assert connection_effect(model, *_batch(1), "uniform")["rel_change"] > 0.05
    conn = model.connect("original")
    with torch.no_grad():
        y0 = model(src, tgt)
        conn.weight[0, 0] = 1e-6  # a tiny leak from the first encoder layer must show
        assert float((model(src, tgt) - y0).abs().max()) > 1e-9


def test_connection_mixes_layers_like_the_explicit_sum_and_is_trainable():
    conn = EncoderDecoderConnection(3, 2, "uniform")
    hs = [torch.randn(2, 4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(k)) for k in range(3)]
    out = conn(hs)
    assert len(out) == 2 and torch.allclose(out[1], (hs[0] + hs[1] + hs[2]) / 3, rtol=1e-14, atol=1e-15)
    model = TinyEncoderDecoder(vocab=20, d_model=16, n_heads=2, n_encoder=3, n_decoder=2, d_ff=24, seed=2)
    model.connect("original")
    src, tgt, lab = _batch(2)
    logits = model(src, tgt)
    torch.nn.functional.cross_entropy(logits.reshape(-1, 20), lab.reshape(-1)).backward()
    grad = model.connection.weight.grad
    assert grad is not None and float(grad[:, :-1].abs().min()) > 0  # the unused encoder layers can be learned in


def test_same_seed_same_model():
    a, b = TinyEncoderDecoder(seed=5), TinyEncoderDecoder(seed=5)
    src, tgt, _ = _batch(0, vocab=50)
    assert torch.equal(a(src, tgt), b(src, tgt))


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_encoder=0), r"n_encoder must be an integer in \[1"),
    (dict(d_model=10, n_heads=4), "n_heads must divide d_model"),
    (dict(seed=-1), r"seed must be an integer in \[0"),
])
def test_bad_model_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TinyEncoderDecoder(**kwargs)


def test_bad_connection_arguments():
    with pytest.raises(ValueError, match="init must be one of original, uniform"):
        EncoderDecoderConnection(2, 2, "gca")
    with pytest.raises(ValueError, match="n_decoder must be an integer"):
        EncoderDecoderConnection(2, 0)
    with pytest.raises(ValueError, match="one tensor per encoder layer"):
        EncoderDecoderConnection(2, 2)([torch.zeros(1)])
    with pytest.raises(ValueError, match="tokens must be"):
        TinyEncoderDecoder(max_len=4)(torch.zeros(1, 5, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
