"""``LocalLLMServer``: a catalog model behind an OpenAI-compatible endpoint on loopback.

The LLM tier of a heterogeneous agent is usually a remote endpoint (OpenAI,
vLLM, NVIDIA NIM) reached through the ``openai`` client. To exercise exactly
that path on a machine with no API key, this runs llama-cpp-python's own server
(``llama_cpp.server``, extra ``server``) as a child process on a free loopback
port, so the agent talks HTTP to it like it would to any provider.

A child process rather than an in-process thread: the server's llama.cpp
threads, its event loop and its memory stay apart from the in-process SLM's,
and stopping it returns everything to the system. The child runs through a
thin launcher (:mod:`hetero_agents.models._server_main`) that adds what an agent
loop needs (real ``tool_calls`` through the ``hetero-agents`` chat format, tool
turns with null content accepted) and exits on its own if this process dies.

Threads: llama.cpp threads spin while they work, so two models that each take
every core slow each other down badly. The server takes half of the cores this
process may use (:func:`default_server_threads`); that is also what llama.cpp
picks for an in-process model left at ``n_threads=None`` (``ChatLlamaCpp``'s
default), so the server and one in-process SLM together never ask for more
cores than there are. Pass ``n_threads`` to decide otherwise.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from hetero_agents.errors import LocalServerError, MissingExtraError

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI
    from openai import OpenAI

DEFAULT_CHAT_FORMAT = "hetero-agents"
"""The chat format that answers through :class:`~hetero_agents.ChatLlamaCpp` on the
server's model (see :mod:`hetero_agents.models._server_handler`): the GGUF's own
template, grammar-constrained OpenAI ``tool_calls`` for every ``tool_choice``, tool
results in the history. Any llama-cpp-python format name works too; ``None`` uses
the GGUF's template with no tool-call parsing (calls come back as text)."""

PARENT_PID_ENV = "HETERO_AGENTS_SERVER_PARENT_PID"
"""The launcher exits when this process is gone, even one killed without cleanup."""

API_KEY = "local"
"""The key clients send; the server checks none, but the ``openai`` client wants one."""

# Modules `python -m llama_cpp.server` imports at start: checked before spawning, so a
# missing extra is a typed error here instead of a traceback in the child's log.
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "pydantic_settings")
_PORT_ATTEMPTS = 3
_LOG_TAIL_CHARS = 3000


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_server_threads() -> int:
    """Half the available cores, at least one: the server's share of the thread budget.

    The other half is what llama.cpp gives an in-process model by default, so
    the LLM server and the SLM never oversubscribe the machine together.
    """
    return max(1, available_cores() // 2)


class LocalLLMServer:
    """llama-cpp-python's OpenAI-compatible server for one model, as a context manager.

    Examples:
        >>> with LocalLLMServer("qwen2.5-coder-1.5b") as server:  # doctest: +SKIP
        ...     llm = server.chat_model(temperature=0.0)
        ...     llm.invoke("Hello")

    The process is always stopped: on leaving the ``with`` block (also on an
    exception or Ctrl-C), on :meth:`stop`, or at interpreter exit.

    Args:
        model: A catalog name (``hetero-agents models list``) or a ``.gguf`` path.
        host: The address to listen on; keep it loopback unless you mean to
            expose the model (the server has no authentication).
        port: The port; ``None`` picks a free one.
        n_threads: llama.cpp threads for decoding and prompt processing;
            ``None`` takes :func:`default_server_threads`.
        n_ctx: The context window, in tokens.
        chat_format: llama-cpp-python's chat format; ``None`` uses the GGUF's own
            template (tool calls then come back as text, not ``tool_calls``).
        startup_timeout: Seconds to wait for the model to load and the server to
            answer ``/v1/models``.
        extra_args: More ``llama_cpp.server`` options, e.g. ``["--lora_path", p]``.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] = "qwen2.5-coder-1.5b",
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_threads: int | None = None,
        n_ctx: int = 4096,
        chat_format: str | None = DEFAULT_CHAT_FORMAT,
        startup_timeout: float = 180.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        if n_threads is not None and n_threads < 1:
            raise ValueError(f"n_threads must be at least 1, got {n_threads}")
        self.model = model
        self.host = host
        self.n_threads = n_threads if n_threads is not None else default_server_threads()
        self.n_ctx = n_ctx
        self.chat_format = chat_format
        self.startup_timeout = startup_timeout
        self.extra_args = tuple(extra_args)
        self._requested_port = port
        self._port: int | None = None
        self._model_name: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_dir: tempfile.TemporaryDirectory[str] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Resolve the model, start the server and wait until it answers.

        Raises:
            MissingExtraError: The ``server`` extra is not installed.
            UnknownModelError: ``model`` is neither a catalog name nor a GGUF path.
            ModelFileError: The path is missing or not a GGUF file.
            CarrierNotInstalledError: A catalog model whose weights are not installed.
            LocalServerError: The server exited or did not answer in time; the
                message carries the end of its output.
        """
        if self._process is not None:
            raise LocalServerError(f"the server is already running at {self.base_url}")
        _check_server_extra()
        from hetero_agents.models.loader import resolve_model

        resolved = resolve_model(self.model)
        self._model_name = resolved.model_name
        self._log_dir = tempfile.TemporaryDirectory(prefix="hetero-agents-server-")
        atexit.register(self.stop)
        try:
            for _ in range(_PORT_ATTEMPTS):
                self._port = self._requested_port or _free_port(self.host)
                self._spawn(resolved.path)
                if self._wait_ready():
                    return self
            raise LocalServerError(
                f"every free port picked on {self.host} was taken before the server could bind "
                f"it ({_PORT_ATTEMPTS} tries); pass port= explicitly",
                self.log_tail(),
            )
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds); idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_dir is not None:
            self._log_dir.cleanup()
            self._log_dir = None
        atexit.unregister(self.stop)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what clients need ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def port(self) -> int:
        """The port the server listens on (known once started)."""
        if self._port is None:
            raise LocalServerError("the server has not been started: use it in a `with` block")
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def model_name(self) -> str:
        """The model name clients send and responses carry (the catalog name or file stem)."""
        if self._model_name is None:
            raise LocalServerError("the server has not been started: use it in a `with` block")
        return self._model_name

    def chat_model(self, **kwargs: Any) -> ChatOpenAI:
        """A ``langchain_openai.ChatOpenAI`` pointed at this server.

        Args:
            **kwargs: More ``ChatOpenAI`` parameters (``temperature``,
                ``max_tokens``, ...); they override the endpoint's defaults.
        """
        from hetero_agents._extras import require

        chat_openai: type[ChatOpenAI] = require("langchain_openai", "server").ChatOpenAI
        params: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": API_KEY,
            "model": self.model_name,
            **kwargs,
        }
        return chat_openai(**params)

    def openai_client(self, **kwargs: Any) -> OpenAI:
        """An ``openai.OpenAI`` client pointed at this server (``kwargs`` go to it)."""
        from openai import OpenAI

        params: dict[str, Any] = {"base_url": self.base_url, "api_key": API_KEY, **kwargs}
        return OpenAI(**params)

    def log_tail(self, chars: int = _LOG_TAIL_CHARS) -> str:
        """The end of what the server printed, for diagnosing a failed request."""
        path = self._log_path()
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")[-chars:].strip()

    # --- internals ------------------------------------------------------------------------

    def command(self, model_path: Path, port: int) -> list[str]:
        """The server's command line: ``llama_cpp.server``'s, run through our launcher.

        The launcher (:mod:`hetero_agents.models._server_main`) registers the
        ``hetero-agents`` chat format and a request repair, watches that this
        process is alive, then runs ``llama_cpp.server`` itself.
        """
        args = [
            sys.executable, "-m", "hetero_agents.models._server_main",
            "--model", str(model_path),
            "--model_alias", self.model_name,
            "--host", self.host,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            # a second client (a shadow run, a parallel test) must not cut off a stream
            "--interrupt_requests", "False",
            # logits for every prompt position are only needed for prompt logprobs,
            # and cost n_ctx x n_vocab floats on every forward pass
            "--logits_all", "False",
            "--verbose", "False",
        ]  # fmt: skip
        if self.chat_format is not None:
            args += ["--chat_format", self.chat_format]
        return [*args, *self.extra_args]

    def _log_path(self) -> Path | None:
        return Path(self._log_dir.name) / "server.log" if self._log_dir is not None else None

    def _spawn(self, model_path: Path) -> None:
        log_path = self._log_path()
        assert log_path is not None
        with log_path.open("wb") as log:  # the child keeps its own copy of the handle
            self._process = subprocess.Popen(  # noqa: S603 (our own argv, no shell)
                self.command(model_path, self.port),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, PARENT_PID_ENV: str(os.getpid())},
                start_new_session=True,  # Ctrl-C reaches us; we stop the server in order
            )

    def _wait_ready(self) -> bool:
        """``True`` once ``/v1/models`` answers; ``False`` when a picked port was taken."""
        process = self._process
        assert process is not None
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                tail = self.log_tail()
                self._process = None
                if self._requested_port is None and "in use" in tail:
                    return False  # another program took the free port between probe and bind
                raise LocalServerError(
                    f"llama_cpp.server for {self.model!s} exited with code {code} before answering",
                    tail,
                )
            try:
                with opener.open(f"{self.base_url}/models", timeout=2):
                    return True
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        tail = self.log_tail()
        raise LocalServerError(
            f"llama_cpp.server for {self.model!s} did not answer within "
            f"{self.startup_timeout:.0f} s; raise startup_timeout for a large model",
            tail,
        )


def _check_server_extra() -> None:
    for module in _SERVER_MODULES:
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(module, "server")


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


__all__ = [
    "API_KEY",
    "DEFAULT_CHAT_FORMAT",
    "LocalLLMServer",
    "available_cores",
    "default_server_threads",
]
