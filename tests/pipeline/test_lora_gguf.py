"""The GGUF LoRA writer: names, shapes, metadata and llama's q/k row permutation.

The unit tests need no weights. The model tests check the two facts a wrong
adapter would get silently wrong, against llama.cpp itself: the base read into
transformers computes what llama.cpp computes, and an adapter written here moves
llama.cpp's logits the way the same LoRA moves the transformers model's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._gguf_layout import TensorLayout, from_gguf_rows, to_gguf_rows
from hetero_agents.pipeline._lora_gguf import lora_tensors, write_lora_gguf

gguf = pytest.importorskip("gguf")

LLAMA = TensorLayout(arch="llama", n_blocks=2, n_head=4, n_head_kv=2)
QWEN = TensorLayout(arch="qwen2", n_blocks=2, n_head=4, n_head_kv=2)
HIDDEN, RANK = 16, 2  # head_dim 4: q has 16 rows, k has 8


def _factors(rng: np.random.Generator, layers: int = 2) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out_rows = {"q_proj": HIDDEN, "k_proj": 8, "v_proj": 8, "o_proj": HIDDEN}
    factors = {}
    for layer in range(layers):
        for proj, rows in out_rows.items():
            a = rng.standard_normal((RANK, HIDDEN)).astype(np.float32)
            b = rng.standard_normal((rows, RANK)).astype(np.float32)
            factors[f"model.layers.{layer}.self_attn.{proj}"] = (a, b)
    return factors


def _read(path: Path) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    reader = gguf.GGUFReader(str(path))
    fields = {name: field.contents() for name, field in reader.fields.items()}
    tensors = {t.name: np.array(t.data).reshape(tuple(reversed(t.shape))) for t in reader.tensors}
    return fields, tensors


# -- layout -------------------------------------------------------------------------------


def test_rotary_permutation_interleaves_each_heads_halves() -> None:
    rows = np.arange(8, dtype=np.float32).reshape(8, 1)  # 2 heads of 4 rows
    permuted = to_gguf_rows(rows, 2)
    assert permuted.ravel().tolist() == [0, 2, 1, 3, 4, 6, 5, 7]
    assert np.array_equal(from_gguf_rows(permuted, 2), rows)


def test_permuting_b_alone_permutes_the_whole_update() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((RANK, HIDDEN)), rng.standard_normal((HIDDEN, RANK))
    assert np.allclose(to_gguf_rows(b, 4) @ a, to_gguf_rows(b @ a, 4))


@pytest.mark.parametrize(
    ("hf_name", "gguf_name"),
    [
        ("model.layers.1.self_attn.q_proj.weight", "blk.1.attn_q.weight"),
        ("model.layers.0.self_attn.o_proj.weight", "blk.0.attn_output.weight"),
        ("model.layers.1.mlp.down_proj.weight", "blk.1.ffn_down.weight"),
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.layers.0.self_attn.k_proj", "blk.0.attn_k"),
    ],
)
def test_gguf_names(hf_name: str, gguf_name: str) -> None:
    assert LLAMA.gguf_name(hf_name) == gguf_name
    assert QWEN.gguf_name(hf_name) == gguf_name


def test_unknown_module_and_architecture_are_refused() -> None:
    with pytest.raises(PipelineError, match="no GGUF tensor"):
        LLAMA.gguf_name("model.layers.0.self_attn.rotary_emb.weight")
    with pytest.raises(PipelineError, match="supports the GGUF architectures"):
        TensorLayout(arch="gemma2", n_blocks=2, n_head=4, n_head_kv=2)


def test_only_llama_q_and_k_are_permuted() -> None:
    assert LLAMA.permuted_heads("model.layers.0.self_attn.q_proj") == 4
    assert LLAMA.permuted_heads("model.layers.0.self_attn.k_proj") == 2  # kv heads
    assert LLAMA.permuted_heads("model.layers.0.self_attn.v_proj") is None
    assert QWEN.permuted_heads("model.layers.0.self_attn.q_proj") is None


# -- writer -------------------------------------------------------------------------------


def test_adapter_file_has_what_llama_cpp_checks(tmp_path: Path) -> None:
    factors = _factors(np.random.default_rng(1))
    path = write_lora_gguf(
        tmp_path / "a" / "adapter.gguf", LLAMA, factors, alpha=16, metadata={"x.steps": 3}
    )
    fields, tensors = _read(path)
    assert fields["general.type"] == "adapter"
    assert fields["general.architecture"] == "llama"
    assert fields["adapter.type"] == "lora"
    assert fields["adapter.lora.alpha"] == pytest.approx(16.0)
    assert fields["x.steps"] == 3
    assert len(tensors) == 2 * len(factors)
    for module, (a, b) in factors.items():
        base = LLAMA.gguf_name(module + ".weight")
        stored_a, stored_b = tensors[base + ".lora_a"], tensors[base + ".lora_b"]
        assert stored_a.shape == (RANK, HIDDEN)  # ggml ne = (in, rank)
        assert stored_b.shape == b.shape  # ggml ne = (rank, out)
        assert np.array_equal(stored_a, a)
        heads = LLAMA.permuted_heads(module)
        expected_b = to_gguf_rows(b, heads) if heads else b
        assert np.array_equal(stored_b, expected_b)
    q_b = factors["model.layers.0.self_attn.q_proj"][1]
    assert not np.array_equal(tensors["blk.0.attn_q.weight.lora_b"], q_b)


def test_qwen2_adapter_keeps_rows_in_place(tmp_path: Path) -> None:
    factors = _factors(np.random.default_rng(2), layers=1)
    tensors = lora_tensors(QWEN, factors)
    for module, (_, b) in factors.items():
        assert np.array_equal(tensors[QWEN.gguf_name(module + ".weight") + ".lora_b"], b)
    fields, _ = _read(write_lora_gguf(tmp_path / "q.gguf", QWEN, factors, alpha=8))
    assert fields["general.architecture"] == "qwen2"


def test_mismatched_or_missing_factors_are_refused(tmp_path: Path) -> None:
    a = np.zeros((RANK, HIDDEN), np.float32)
    with pytest.raises(ValueError, match="do not fit"):
        lora_tensors(LLAMA, {"model.layers.0.self_attn.v_proj": (a, np.zeros((8, 3), np.float32))})
    with pytest.raises(ValueError, match="at least one"):
        write_lora_gguf(tmp_path / "x.gguf", LLAMA, {}, alpha=1)


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensors_to_file", broken)
    with pytest.raises(OSError, match="disk full"):
        write_lora_gguf(tmp_path / "x.gguf", LLAMA, _factors(np.random.default_rng(3)), alpha=1)
    assert list(tmp_path.iterdir()) == []


# -- against llama.cpp --------------------------------------------------------------------

PROMPT = "<|im_start|>user\nName three colours of the rainbow.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def smollm2_base(smollm2_path: Path):  # type: ignore[no-untyped-def]
    pytest.importorskip("transformers")
    from hetero_agents.pipeline._base_model import load_base

    return load_base(smollm2_path, device="cpu")


def _llama_logits(path: Path, tokens: list[int], lora: Path | None = None) -> np.ndarray:
    import llama_cpp

    llama = llama_cpp.Llama(
        model_path=str(path),
        lora_path=str(lora) if lora else None,
        n_ctx=128,
        n_threads=1,
        logits_all=True,
        verbose=False,
    )
    llama.eval(tokens)
    return np.array(llama.scores[: len(tokens)], dtype=np.float64)


def _hf_logits(model, tokens: list[int]) -> np.ndarray:  # type: ignore[no-untyped-def]
    import torch

    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0].double().numpy()


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x.ravel(), y.ravel())[0, 1])


@pytest.mark.model
def test_adapter_moves_llama_cpp_like_the_lora_moves_transformers(
    smollm2_base, smollm2_path: Path, tmp_path: Path
) -> None:
    import llama_cpp
    import torch

    vocab = llama_cpp.Llama(model_path=str(smollm2_path), vocab_only=True, verbose=False)
    tokens = vocab.tokenize(PROMPT.encode(), add_bos=False, special=True)
    model, layout = smollm2_base.model, smollm2_base.layout

    hf_base = _hf_logits(model, tokens)
    cpp_base = _llama_logits(smollm2_path, tokens)
    assert _corr(hf_base, cpp_base) > 0.99  # the base read from the GGUF is llama.cpp's

    rng = np.random.default_rng(0)
    factors = {}
    for layer in range(layout.n_blocks):
        for proj in ("q_proj", "k_proj"):
            linear = model.model.layers[layer].self_attn.get_submodule(proj)
            out_rows, in_cols = linear.weight.shape
            a = (0.15 * rng.standard_normal((4, in_cols))).astype(np.float32)
            b = (0.15 * rng.standard_normal((out_rows, 4))).astype(np.float32)
            factors[f"model.layers.{layer}.self_attn.{proj}"] = (a, b)
    right = write_lora_gguf(tmp_path / "right.gguf", layout, factors, alpha=4)  # scale 1
    # the same factors with the permutation undone: what forgetting it would write
    unpermuted = {
        m: (a, from_gguf_rows(b, h) if (h := layout.permuted_heads(m)) else b)
        for m, (a, b) in factors.items()
    }
    wrong = write_lora_gguf(tmp_path / "wrong.gguf", layout, unpermuted, alpha=4)

    originals = {m: model.get_submodule(m).weight.detach().clone() for m in factors}
    try:
        with torch.no_grad():
            for m, (a, b) in factors.items():
                model.get_submodule(m).weight += torch.from_numpy(b @ a)
        hf_delta = _hf_logits(model, tokens) - hf_base
    finally:
        with torch.no_grad():
            for m, weight in originals.items():
                model.get_submodule(m).weight.copy_(weight)

    right_delta = _llama_logits(smollm2_path, tokens, right) - cpp_base
    wrong_delta = _llama_logits(smollm2_path, tokens, wrong) - cpp_base
    assert np.abs(hf_delta).mean() > 0.5  # the LoRA really moves the logits
    assert _corr(hf_delta, right_delta) > 0.9
    assert _corr(hf_delta, wrong_delta) < 0.6  # the check can tell a wrong layout apart
