"""Real tiers for the router's integration tests: the tiny GGUF in-process and behind a server.

``llama_server`` runs llama-cpp-python's OpenAI-compatible server on a free
loopback port with the same tiny model, so the LLM tier goes through the real
``openai`` client (``langchain_openai.ChatOpenAI``). One thread each: the two
never generate at the same time (the router calls one tier at a time), and on a
2-core machine neither may busy-wait on both cores.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SERVER_MODEL = "smollm2"
MAX_TOKENS = 96


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"llama_cpp.server not ready after {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def llama_server(smollm2_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT/v1``) of a llama-cpp-python server; stopped after."""
    pytest.importorskip("llama_cpp.server", reason="needs hetero-agents[server]")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(smollm2_path),
        "--model_alias", SERVER_MODEL,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_threads", "1",
        "--n_threads_batch", "1",
        "--n_ctx", "2048",
        "--chat_format", "chatml-function-calling",
        "--verbose", "False",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(f"{base_url}/models", process, log, timeout=120)
        yield base_url
    finally:
        process.terminate()
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("llama_cpp.server did not stop within 20 s of SIGTERM")
        assert code in (0, -15), f"llama_cpp.server exited with {code}"


@pytest.fixture(scope="module")
def smollm2_chat(smollm2_path: Path) -> Any:
    """The tiny model in-process: the SLM tier."""
    from hetero_agents.chat_models import ChatLlamaCpp

    return ChatLlamaCpp(
        model_path=str(smollm2_path),
        model_name="smollm2-135m",
        n_ctx=2048,
        n_threads=1,
        temperature=0.0,
        max_tokens=MAX_TOKENS,
        seed=0,
    )


@pytest.fixture(scope="module")
def server_chat(llama_server: str) -> Any:
    """The same tiny model behind the OpenAI-compatible server: the LLM tier."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=llama_server,
        api_key="not-needed",  # type: ignore[arg-type]
        model=SERVER_MODEL,
        temperature=0.0,
        max_tokens=MAX_TOKENS,
        max_retries=1,
        timeout=120,
        stream_usage=True,
    )
