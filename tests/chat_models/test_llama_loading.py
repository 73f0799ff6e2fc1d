"""Loading errors: every bad file gets a typed error that names the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.errors import MissingExtraError, ModelFileError


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelFileError, match="model file not found") as info:
        ChatLlamaCpp(model_path=str(missing))
    assert info.value.path == missing
    assert str(missing) in str(info.value)


def test_a_directory_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not found"):
        ChatLlamaCpp(model_path=str(tmp_path))


def test_wrong_magic_bytes_are_named(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 this is a zip, not a model")
    with pytest.raises(ModelFileError, match=r"not a GGUF file .*starts with b'PK") as info:
        ChatLlamaCpp(model_path=str(fake))
    assert info.value.path == fake.resolve()


@pytest.mark.model
def test_truncated_gguf_is_a_model_file_error_not_a_crash(
    tmp_path: Path, smollm2_path: Path
) -> None:
    truncated = tmp_path / "truncated.gguf"
    with smollm2_path.open("rb") as source:
        truncated.write_bytes(source.read(1_000_000))
    with pytest.raises(ModelFileError, match=r"llama\.cpp could not load this file") as info:
        ChatLlamaCpp(model_path=str(truncated), n_threads=1)
    assert info.value.path == truncated.resolve()


def test_missing_lora_adapter_is_named(tmp_path: Path, smollm2_path: Path) -> None:
    adapter = tmp_path / "adapter.gguf"
    with pytest.raises(ModelFileError, match="LoRA adapter not found") as info:
        ChatLlamaCpp(model_path=str(smollm2_path), lora_path=str(adapter))
    assert info.value.path == adapter


def test_needs_a_path_or_a_client() -> None:
    with pytest.raises(ValidationError, match=r"needs model_path= .* or client="):
        ChatLlamaCpp()


def test_missing_llama_cpp_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp -> ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'hetero-agents\[local\]'"):
        ChatLlamaCpp(model_path=str(tmp_path / "any.gguf"))
