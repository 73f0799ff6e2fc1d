"""``python -m hetero_agents.models._server_main``: llama-cpp-python's server, made agent-ready.

It is ``python -m llama_cpp.server`` with the same command line and three
additions:

* the ``hetero-agents`` chat format (:mod:`hetero_agents.models._server_handler`)
  is registered, since llama-cpp-python looks chat formats up by name in a
  per-process registry;
* requests to ``/chat/completions`` pass through a small ASGI middleware that
  fills two gaps between the OpenAI API and the server's request model, which
  otherwise answers HTTP 500 or silently drops the field: an assistant
  message's ``"content": null`` (the ``openai`` client sends it on every
  tool-call turn) becomes ``""``, and ``max_completion_tokens`` (what
  ``langchain-openai`` sends for ``max_tokens``) becomes ``max_tokens``;
* a watchdog thread exits the server as soon as the process that started it
  (:class:`~hetero_agents.models.server.LocalLLMServer`) is gone, so a parent
  killed without cleanup (SIGKILL, a CI timeout) never leaves a model server
  spinning on the machine's cores.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from hetero_agents._extras import require
from hetero_agents.models._server_handler import register
from hetero_agents.models.server import PARENT_PID_ENV

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def repair_chat_request(body: bytes) -> bytes:
    """The request body in the form the server accepts; a body needing nothing is unchanged."""
    try:
        request = json.loads(body)
    except ValueError:
        return body  # let the server report the malformed JSON itself
    if not isinstance(request, dict):
        return body
    changed = False
    if request.get("max_tokens") is None and request.get("max_completion_tokens") is not None:
        request["max_tokens"] = request.pop("max_completion_tokens")
        changed = True
    messages = request.get("messages")
    for message in messages if isinstance(messages, list) else ():
        is_assistant = isinstance(message, dict) and message.get("role") == "assistant"
        if is_assistant and message.get("content", "") is None:
            message["content"] = ""
            changed = True
    return json.dumps(request).encode() if changed else body


class ChatRequestRepair:
    """ASGI middleware that applies :func:`repair_chat_request` to chat completion requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer a chat request's body, repair it, and replay it to the app."""
        if scope["type"] != "http" or not scope["path"].endswith("/chat/completions"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = repair_chat_request(b"".join(chunks))
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        scope = {**scope, "headers": headers}
        replay = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        await self.app(scope, replay, send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A ``receive`` that returns ``messages`` first, then defers to ``then``."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


def watch_parent(parent: int, interval: float = 0.5) -> threading.Thread:
    """Exit this process, at once, when ``parent`` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)  # no graceful shutdown: an in-flight generation could run for minutes

    thread = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
    thread.start()
    return thread


def main() -> None:
    """Register the chat handler and the middleware, then run llama-cpp-python's server."""
    parent = os.environ.get(PARENT_PID_ENV)
    if parent:
        watch_parent(int(parent))
    register()
    server_main: Any = require("llama_cpp.server.__main__", "server")

    create_app = server_main.create_app

    def create_repaired_app(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.add_middleware(ChatRequestRepair)
        return app

    server_main.create_app = create_repaired_app
    server_main.main()


if __name__ == "__main__":
    main()
