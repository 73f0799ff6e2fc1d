"""``LocalLLMServer``: the tiny model behind llama-cpp-python's server, reached over loopback.

One server (SmolLM2-135M, one thread) serves the module's client tests; the
lifecycle tests start their own, because stopping is what they check.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hetero_agents.errors import LocalServerError, MissingExtraError, ModelFileError
from hetero_agents.models import server as server_module
from hetero_agents.models.server import LocalLLMServer, default_server_threads

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# --- no model needed -----------------------------------------------------------------------


def test_the_server_takes_half_the_cores_it_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(8)), raising=False)
    assert default_server_threads() == 4
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert default_server_threads() == 1


def test_the_command_gives_prompt_processing_the_same_thread_budget(tmp_path: Path) -> None:
    server = LocalLLMServer(tmp_path / "m.gguf", n_threads=3, n_ctx=1024)
    server._model_name = "m"
    argv = server.command(tmp_path / "m.gguf", 4321)
    options = dict(zip(argv[3::2], argv[4::2], strict=False))
    assert options["--n_threads"] == options["--n_threads_batch"] == "3"
    assert options["--n_ctx"] == "1024"
    assert options["--port"] == "4321"
    assert options["--chat_format"] == "hetero-agents"
    assert options["--model_alias"] == "m"


def test_a_missing_model_file_is_a_typed_error_before_anything_starts(tmp_path: Path) -> None:
    server = LocalLLMServer(tmp_path / "absent.gguf")
    with pytest.raises(ModelFileError, match="no such model file"):
        server.start()
    assert server.pid is None


def test_a_missing_server_extra_names_the_install(
    monkeypatch: pytest.MonkeyPatch, smollm2_path: Path
) -> None:
    real = server_module.importlib.util.find_spec
    monkeypatch.setattr(
        server_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "uvicorn" else real(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r"hetero-agents\[server\]"):
        LocalLLMServer(smollm2_path).start()


def test_using_a_server_that_was_never_started_says_how(tmp_path: Path) -> None:
    with pytest.raises(LocalServerError, match="with` block"):
        _ = LocalLLMServer(tmp_path / "m.gguf").base_url


@pytest.mark.server
def test_a_file_llama_cpp_cannot_load_fails_with_the_servers_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)  # passes the magic check, not llama.cpp's
    server = LocalLLMServer(broken, n_threads=1, startup_timeout=60)
    with pytest.raises(LocalServerError, match="exited with code") as info:
        server.start()
    assert info.value.log_tail  # what the server printed comes with the error
    assert not server.running


# --- the tiny model behind the server ------------------------------------------------------


@pytest.fixture(scope="module")
def server(smollm2_path: Path) -> Iterator[LocalLLMServer]:
    with LocalLLMServer(smollm2_path, n_threads=1, n_ctx=2048) as running:
        yield running


@pytest.mark.model
@pytest.mark.server
class TestClients:
    def test_the_openai_client_gets_a_plain_answer(self, server: LocalLLMServer) -> None:
        reply = server.openai_client().chat.completions.create(
            model=server.model_name,
            messages=[{"role": "user", "content": "Say hello."}],
            max_tokens=16,
            temperature=0.0,
        )
        assert reply.model == server.model_name == "SmolLM2-135M-Instruct.Q4_1"
        assert reply.choices[0].message.content
        assert reply.usage is not None
        assert reply.usage.completion_tokens > 0

    def test_the_openai_client_gets_a_forced_tool_call(self, server: LocalLLMServer) -> None:
        reply = server.openai_client().chat.completions.create(
            model=server.model_name,
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            tools=[WEATHER_TOOL],  # type: ignore[list-item]
            tool_choice=FORCE_WEATHER,  # type: ignore[arg-type]
            max_tokens=48,
            temperature=0.0,
        )
        (call,) = reply.choices[0].message.tool_calls or []
        assert call.function.name == "get_weather"  # type: ignore[union-attr]
        assert isinstance(json.loads(call.function.arguments)["city"], str)  # type: ignore[union-attr]

    def test_chat_openai_gets_a_plain_answer(self, server: LocalLLMServer) -> None:
        reply = server.chat_model(temperature=0.0, max_tokens=16).invoke("Say hello.")
        assert reply.text
        assert reply.response_metadata["model_name"] == server.model_name

    def test_chat_openai_max_tokens_is_honoured(self, server: LocalLLMServer) -> None:
        # langchain-openai sends it as max_completion_tokens, which the server alone ignores
        reply = server.chat_model(temperature=0.0, max_tokens=8).invoke(
            "Write a long story about a dragon who learns to cook."
        )
        assert reply.usage_metadata is not None
        assert reply.usage_metadata["output_tokens"] == 8
        assert reply.response_metadata["finish_reason"] == "length"

    def test_chat_openai_gets_a_forced_tool_call(self, server: LocalLLMServer) -> None:
        llm = server.chat_model(temperature=0.0, max_tokens=48)
        reply = llm.bind_tools([WEATHER_TOOL], tool_choice="get_weather").invoke(
            "What is the weather in Paris?"
        )
        (call,) = reply.tool_calls
        assert call["name"] == "get_weather"
        assert isinstance(call["args"]["city"], str)

    def test_a_plain_answer_streams_in_pieces(self, server: LocalLLMServer) -> None:
        llm = server.chat_model(temperature=0.0, max_tokens=24)
        pieces = [chunk.text for chunk in llm.stream("Count from one to ten.")]
        assert sum(1 for piece in pieces if piece) > 1

    def test_a_streamed_tool_call_names_the_tool_once(self, server: LocalLLMServer) -> None:
        llm = server.chat_model(temperature=0.0, max_tokens=48)
        bound = llm.bind_tools([WEATHER_TOOL], tool_choice="get_weather")
        chunks: Any = None
        for chunk in bound.stream("What is the weather in Paris?"):
            chunks = chunk if chunks is None else chunks + chunk
        assert [c["name"] for c in chunks.tool_calls] == ["get_weather"]

    def test_a_tool_result_in_the_history_is_accepted(self, server: LocalLLMServer) -> None:
        # the assistant turn has null content, as the openai client sends every tool-call turn
        reply = server.openai_client().chat.completions.create(
            model=server.model_name,
            messages=[
                {"role": "user", "content": "What is the weather in Paris?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "18 degrees and sunny"},
            ],
            tools=[WEATHER_TOOL],  # type: ignore[list-item]
            max_tokens=32,
            temperature=0.0,
        )
        assert reply.choices[0].finish_reason in {"stop", "length", "tool_calls"}


# --- lifecycle -----------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.server
def test_the_process_is_gone_after_the_block_even_on_an_exception(smollm2_path: Path) -> None:
    server = LocalLLMServer(smollm2_path, n_threads=1, n_ctx=512)
    seen: dict[str, Any] = {}

    def interrupted_run() -> None:
        with server:
            seen.update(pid=server.pid, port=server.port, running=server.running)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_run()
    assert seen["running"]
    assert not server.running
    assert _gone(seen["pid"])
    assert _port_closed(seen["port"])
    server.stop()  # idempotent


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return not _gone(pid)
    return state != "Z"


@pytest.mark.model
@pytest.mark.server
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_the_server_exits_when_its_parent_is_killed_without_cleanup(
    smollm2_path: Path, tmp_path: Path
) -> None:
    script = (
        "import sys, time\n"
        "from hetero_agents.models.server import LocalLLMServer\n"
        f"server = LocalLLMServer({str(smollm2_path)!r}, n_threads=1, n_ctx=512).start()\n"
        "print(server.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert _alive(server_pid)
    finally:
        parent.kill()  # SIGKILL: no atexit, no finally, nothing of ours runs
        parent.wait()
    deadline = time.monotonic() + 15
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(server_pid)


@pytest.mark.model
@pytest.mark.server
def test_a_picked_port_taken_before_the_server_binds_it_is_replaced(
    smollm2_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter([taken, server_module._free_port("127.0.0.1")])
        monkeypatch.setattr(server_module, "_free_port", lambda _host: next(picks))
        with LocalLLMServer(smollm2_path, n_threads=1, n_ctx=512) as server:
            assert server.port != taken
            assert server.running
