"""``CallLogger``: the S1 callback handler, and ``capture()`` to attach it to a whole block.

The handler does as little as it can on the agent's thread: at the start of a
call it snapshots and redacts the request; at the end it snapshots and redacts
the response and queues the call as a draft, which the background writer
shapes into its row (see ``_recorder.py`` and ``_drafts.py``). Nothing it does
raises into the agent: failures are counted, warned about once, and shown by
``hetero-agents logs stats``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook

from hetero_agents.logs._crypto import Key
from hetero_agents.logs._health import CaptureHealth
from hetero_agents.logs._recorder import Recorder
from hetero_agents.logs._writer import DEFAULT_BATCH_SIZE
from hetero_agents.logs.pricing import Price, PriceTable
from hetero_agents.logs.store import LogStore
from hetero_agents.redaction import DefaultRedactor, Redactor

# The router's shadow-result event (``hetero_agents.routing.policies.shadow.SHADOW_EVENT``;
# not imported, so that capture never loads the routing package).
SHADOW_EVENT = "hetero_shadow"


class CallLogger(BaseCallbackHandler):
    """Records every chat-model call and tool run of an agent into a :class:`LogStore`.

    Attach it the three usual LangChain ways: ``config={"callbacks": [logger]}``,
    on a model (``model.with_config(callbacks=[logger])``), or for a whole block
    with :func:`capture`. One row per call (streamed calls once, complete), one
    row per tool run, linked to the call whose tool call it answers; shadow-mode
    results of the router land in their own table.

    Example:
        ```python
        with CallLogger("logs.db") as logger:
            graph.invoke(inputs, config={"callbacks": [logger]})
        ```
    """

    # Our callbacks are cheap and thread-safe: run them inline in async code too,
    # instead of paying for a hop to the default executor on every event.
    run_inline = True

    def __init__(
        self,
        db: str | os.PathLike[str] | LogStore | None = None,
        *,
        redactor: Redactor | None = None,
        capture_content: bool = True,
        prices: PriceTable | Mapping[str, Price] | None = None,
        encryption_key: Key | Sequence[Key] | None = None,
        queue_size: int = 10_000,
        overflow: Literal["block", "drop"] = "block",
        block_timeout: float = 1.0,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        """Open (or create) the log database and prepare the background writer.

        Args:
            db: A database path, an open :class:`LogStore`, or ``None`` for the default
                (``$HETERO_AGENTS_LOGS_DB`` or the user data directory).
            redactor: Scrubs content before it is queued. ``None`` means the default
                :class:`DefaultRedactor`; pass ``NoRedaction()`` to opt out explicitly.
            capture_content: ``False`` records metadata only (timings, tokens, node,
                model, status), no messages, answers or tool arguments.
            prices: A :class:`PriceTable`, or overrides merged over the default prices.
            encryption_key: Encrypt content at rest (extra ``crypto``); only with a path,
                an open store brings its own key.
            queue_size: Rows that may wait for the writer before ``overflow`` applies.
            overflow: ``"block"`` waits up to ``block_timeout`` seconds for room, then
                drops; ``"drop"`` drops at once. Every drop is counted and reported.
            block_timeout: The longest a call waits for room in the queue.
            batch_size: The most rows the writer commits per transaction.

        Raises:
            LogStoreError: The database cannot be created or opened.
            SchemaTooNewError: A newer hetero-agents wrote the database.
        """
        if isinstance(db, LogStore):
            if encryption_key is not None:
                raise ValueError("pass encryption_key to the LogStore, not to the CallLogger")
            self._store, self._owns_store = db, False
        else:
            self._store, self._owns_store = LogStore(db, encryption_key=encryption_key), True
        self.health = CaptureHealth(str(self._store.path or "log database"))
        writer = self._store.open_writer(
            self.health,
            queue_size=queue_size,
            overflow=overflow,
            block_timeout=block_timeout,
            batch_size=batch_size,
        )
        self._writer = writer
        self._recorder = Recorder(
            writer,
            redactor=redactor if redactor is not None else DefaultRedactor(),
            capture_content=capture_content,
            prices=prices if isinstance(prices, PriceTable) else PriceTable(prices),
            health=self.health,
        )

    @property
    def store(self) -> LogStore:
        """The store rows are written to (also the query API)."""
        return self._store

    @property
    def redactor(self) -> Redactor:
        """What scrubs content before it is queued."""
        return self._recorder.redactor

    @property
    def capture_content(self) -> bool:
        """Whether messages, answers and tool arguments are recorded (else metadata only)."""
        return self._recorder.capture_content

    @property
    def prices(self) -> PriceTable:
        """The prices that estimate ``cost_usd``."""
        return self._recorder.prices

    # Only model, tool and custom events matter; skipping chains and retrievers saves
    # a dispatch per graph step. (``ignore_agent`` must stay False: LangChain routes
    # tool events under that flag.)
    @property
    def ignore_chain(self) -> bool:  # noqa: D102
        return True

    @property
    def ignore_retriever(self) -> bool:  # noqa: D102
        return True

    @property
    def ignore_retry(self) -> bool:  # noqa: D102
        return True

    # --- LangChain callbacks ----------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Snapshot and redact the request of a chat-model call."""
        self._recorder.start_call(
            serialized=serialized,
            messages=messages[0] if messages else [],
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            invocation_params=kwargs.get("invocation_params"),
        )

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """A completion (non-chat) model call: its prompt is recorded as one human message."""
        self._recorder.start_call(
            serialized=serialized,
            messages=[HumanMessage(prompts[0])] if prompts else [],
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            invocation_params=kwargs.get("invocation_params"),
        )

    def on_llm_new_token(self, token: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Note the time to first token of a streamed call (the rest waits for the end)."""
        self._recorder.first_token(run_id)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the response to the call's row and queue it."""
        self._recorder.end_call(run_id, response)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Record a failed call, with whatever partial response LangChain passes along."""
        self._recorder.fail_call(run_id, error, kwargs.get("response"))

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Snapshot a tool's input and link the run to the call that asked for it."""
        self._recorder.start_tool(
            name=kwargs.get("name") or serialized.get("name"),
            tool_input=inputs if inputs is not None else input_str,
            tool_call_id=kwargs.get("tool_call_id"),
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
        )

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the tool's result and queue the row."""
        self._recorder.end_tool(run_id, output)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Record a tool run that raised."""
        self._recorder.fail_tool(run_id, error)

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """Record a shadow-mode result (``ShadowPolicy``'s ``hetero_shadow`` event)."""
        if name == SHADOW_EVENT and isinstance(data, dict):
            self._recorder.shadow(data, run_id)

    # --- lifecycle --------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every row queued before this call is committed.

        Returns:
            ``True`` when done, ``False`` if ``timeout`` seconds passed first.
        """
        return self._writer.flush(timeout)

    def close(self, timeout: float | None = None, *, close_store: bool = True) -> bool:
        """Flush and stop the writer; close the store too if this logger opened it.

        Calls that end after this are not recorded (they are counted as dropped).
        Interpreter exit closes every open logger too.

        Args:
            timeout: The longest to wait for the queue to drain, in seconds.
            close_store: ``False`` keeps the store open for queries.

        Returns:
            ``True`` if every queued row was handled within ``timeout``.
        """
        done = self._writer.close(timeout)
        if close_store and self._owns_store:
            self._store.close()
        return done

    def __enter__(self) -> CallLogger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CallLogger({str(self._store.path)!r}, capture_content={self.capture_content})"


# --- capture(): attach a logger to every call in a block ------------------------------------

# One context variable per nesting depth, each registered once with LangChain, so
# that nested ``capture()`` blocks both receive the calls made inside the inner one.
_capture_vars: list[ContextVar[CallLogger | None]] = []
_capture_vars_lock = threading.Lock()
_capture_depth: ContextVar[int] = ContextVar("hetero_agents_capture_depth", default=0)


def _capture_var(depth: int) -> ContextVar[CallLogger | None]:
    with _capture_vars_lock:
        while len(_capture_vars) <= depth:
            var: ContextVar[CallLogger | None] = ContextVar(
                f"hetero_agents_capture_{len(_capture_vars)}", default=None
            )
            register_configure_hook(var, inheritable=True)
            _capture_vars.append(var)
        return _capture_vars[depth]


@contextmanager
def capture(
    db: str | os.PathLike[str] | LogStore | CallLogger | None = None, **options: Any
) -> Iterator[CallLogger]:
    """Log every chat-model call and tool run made inside the ``with`` block.

    Works like LangChain's ``get_usage_metadata_callback()``: the logger joins
    the callbacks of every runnable invoked in the block (and in tasks and
    threads that copy its context), with no ``config`` to thread through.

    Args:
        db: A database path or :class:`LogStore` (a new :class:`CallLogger` is made
            with ``options`` and closed at the end), or an existing ``CallLogger``
            (flushed at the end, left open).
        **options: Keyword arguments for :class:`CallLogger`.

    Yields:
        The logger. When the block ends, a logger made here is flushed and stops
        writing, and its ``store`` stays open for queries (``logger.store.close()``).

    Example:
        ```python
        with capture("logs.db") as logger:
            agent.invoke({"messages": [("user", "hi")]})
        print(logger.store.count())
        ```
    """
    if isinstance(db, CallLogger):
        if options:
            raise ValueError("options apply to a new CallLogger; this one is already configured")
        logger, owned = db, False
    else:
        logger, owned = CallLogger(db, **options), True
    depth = _capture_depth.get()
    var = _capture_var(depth)
    var_token = var.set(logger)
    depth_token = _capture_depth.set(depth + 1)
    try:
        yield logger
    finally:
        _capture_depth.reset(depth_token)
        var.reset(var_token)
        if owned:
            logger.close(close_store=False)  # stop writing; keep the store readable
        else:
            logger.flush()


__all__ = ["CallLogger", "capture"]
