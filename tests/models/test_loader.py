"""load_model's resolution (which file, which defaults) and its hand-off to ChatLlamaCpp."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from hetero_agents.errors import ModelFileError, UnknownModelError
from hetero_agents.models.catalog import get_entry
from hetero_agents.models.loader import load_model, resolve_model
from hetero_agents.models.store import ModelStore


@pytest.fixture
def gguf(tmp_path: Path) -> Path:
    path = tmp_path / "my-model.Q4_K_M.gguf"
    path.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\0" * 64)
    return path


def test_a_gguf_path_resolves_to_itself_named_by_its_stem(gguf):
    for given in (gguf, str(gguf)):
        resolved = resolve_model(given)
        assert resolved.path == gguf
        assert resolved.model_name == "my-model.Q4_K_M"
        assert resolved.defaults == {}


def test_an_existing_file_without_the_suffix_is_still_a_path(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"GGUF....")
    assert resolve_model(str(path)).path == path


def test_a_missing_gguf_path_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "model.gguf"
    with pytest.raises(ModelFileError, match="no such model file") as info:
        resolve_model(str(missing))
    assert info.value.path == missing
    assert str(missing) in str(info.value)


def test_a_file_that_is_not_gguf_is_refused_before_llama_cpp_sees_it(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_text("<html>404 Not Found</html>")
    with pytest.raises(ModelFileError, match="not a GGUF file"):
        resolve_model(fake)


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "model.gguf"
    folder.mkdir()
    with pytest.raises(ModelFileError, match="found a folder"):
        resolve_model(folder)


def test_a_repo_id_without_filename_asks_for_it():
    with pytest.raises(UnknownModelError, match="filename="):
        resolve_model("Qwen/Qwen2.5-0.5B-Instruct-GGUF")


def test_an_unknown_name_lists_the_catalog_and_other_forms():
    with pytest.raises(UnknownModelError) as info:
        resolve_model("qwen-coder-0.5b")
    message = str(info.value)
    assert "Did you mean 'qwen2.5-coder-0.5b'" in message
    assert ".gguf path" in message
    assert "filename=" in message


def test_hub_options_without_filename_are_an_error(gguf):
    with pytest.raises(ValueError, match="filename="):
        resolve_model(gguf, revision="main")


def test_a_catalog_name_resolves_to_its_verified_file_and_defaults(tmp_path):
    entry = get_entry("smollm2-135m")
    resolved = resolve_model("smollm2-135m", store=ModelStore(home=tmp_path))
    assert resolved.path.name == entry.filename
    assert resolved.path.stat().st_size == entry.size
    assert resolved.model_name == "smollm2-135m"
    assert resolved.defaults == {"n_ctx": 8192}
    assert (tmp_path / f"{entry.filename}.verified.json").is_file()  # verified by hash


class RecordingChat:
    """Stands in for ChatLlamaCpp: records what load_model passes."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


@pytest.fixture
def recording_chat(monkeypatch):
    module = types.ModuleType("hetero_agents.chat_models.llama_cpp")
    module.ChatLlamaCpp = RecordingChat  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hetero_agents.chat_models.llama_cpp", module)


def test_load_model_passes_path_name_and_defaults_overridden_by_kwargs(
    recording_chat, monkeypatch, tmp_path
):
    monkeypatch.setenv("HETERO_AGENTS_HOME", str(tmp_path))
    chat = load_model("smollm2-135m", n_ctx=2048, temperature=0.0)
    assert isinstance(chat, RecordingChat)
    assert chat.kwargs == {
        "model_path": str(resolve_model("smollm2-135m").path),
        "model_name": "smollm2-135m",
        "n_ctx": 2048,
        "temperature": 0.0,
    }


def test_load_model_lets_the_caller_rename_a_path_model(recording_chat, gguf):
    chat = load_model(gguf, model_name="mine")
    assert chat.kwargs == {"model_path": str(gguf), "model_name": "mine"}


@pytest.mark.model
def test_load_model_runs_the_tiny_catalog_model():
    chat = load_model("smollm2-135m", n_ctx=512, n_threads=1, max_tokens=16, temperature=0.0)
    reply = chat.invoke("What is the capital of France? Answer in one word.")
    assert isinstance(reply.content, str)
    assert reply.content.strip()
    assert reply.response_metadata["model_name"] == "smollm2-135m"
