"""Per-``Llama`` shared state: the lock that serialises it, and what is cached for it.

A ``llama_cpp.Llama`` holds one KV cache and one set of logits, so two generations
interleaved on it corrupt each other. The lock therefore belongs to the *client
object*, not to the ``ChatLlamaCpp`` wrapper: two wrappers around the same client
(say, the same model bound with different tools) share it. The registry is keyed
weakly, so state disappears with its client.

Async callers run on one dedicated worker thread per client. Generations on a
client are serial anyway, so one thread is all the parallelism there is; it keeps
queued async calls from filling the event loop's default executor with threads that
would only wait for the lock.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hetero_agents.chat_models._template import PromptRenderer

if TYPE_CHECKING:
    from hetero_agents.chat_models._decode import LlamaDecoder


@dataclass(eq=False)
class ClientState:
    """State shared by every user of one client. Build it via :func:`client_state`."""

    client: weakref.ReferenceType[Any]
    lock: threading.Lock = field(default_factory=threading.Lock)
    _decoder: LlamaDecoder | None = None
    _renderers: dict[str | None, PromptRenderer] = field(default_factory=dict)
    _executor: ThreadPoolExecutor | None = None
    _setup_lock: threading.Lock = field(default_factory=threading.Lock)

    def _live_client(self) -> Any:
        client = self.client()
        if client is None:  # pragma: no cover - a caller always holds the client
            raise RuntimeError("the llama_cpp.Llama client was garbage-collected")
        return client

    def decoder(self) -> LlamaDecoder:
        """The token loop for this client (built once)."""
        from hetero_agents.chat_models._decode import LlamaDecoder  # numpy: only with a model

        with self._setup_lock:
            if self._decoder is None:
                self._decoder = LlamaDecoder(self._live_client())
            return self._decoder

    def renderer(self, template: str | None) -> PromptRenderer:
        """The prompt renderer for this client and template override (built once)."""
        with self._setup_lock:
            renderer = self._renderers.get(template)
            if renderer is None:
                renderer = PromptRenderer.for_llama(self._live_client(), template)
                self._renderers[template] = renderer
            return renderer

    def executor(self) -> ThreadPoolExecutor:
        """The single worker thread that runs this client's async calls."""
        with self._setup_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="hetero-agents-llama"
                )
            return self._executor

    def shutdown(self) -> None:
        """Let the worker thread exit (called when the client is collected)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False)


_REGISTRY: weakref.WeakKeyDictionary[Any, ClientState] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def client_state(client: Any) -> ClientState:
    """The shared state of ``client``, created on first use."""
    with _REGISTRY_LOCK:
        state = _REGISTRY.get(client)
        if state is None:
            state = ClientState(weakref.ref(client))
            _REGISTRY[client] = state
            weakref.finalize(client, state.shutdown)
        return state
