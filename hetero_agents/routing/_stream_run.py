"""The run of a streamed call, for the ``_stream`` / ``_astream`` LangChain leaves without it.

``BaseChatModel.stream()`` and ``astream()`` open the chat-model run themselves
and then call ``self._stream(messages, stop=stop, **kwargs)`` *without* its run
manager (``invoke`` with streaming on does pass it). The router needs that run
twice: its metadata and tags (``hetero_task``, ...) for the routing decision,
and its id and handlers to report a shadow result on it, so that ``CallLogger``
links the ``shadows`` row to the streamed call exactly as for an invoked one.

So ``ChatRouter.stream`` / ``astream`` wrap the base methods:

1. the run id is fixed before the run opens, the way langchain-core's own
   ``astream_events`` does it: ``config["run_id"]`` (kept when the caller set
   one), which ``stream()`` pops and gives the run;
2. a :class:`StreamRun` (that config, ``stop``, kwargs and the router) is put in
   a ``ContextVar`` only while the wrapped stream takes its *first* step, the
   step that opens the run and starts ``_stream``. It is set and reset in the
   same frame, with no ``yield`` to the consumer in between, so its code never sees
   it, and the reset cannot fail whichever thread or context later steps (or a
   ``close()``) run in;
3. ``_stream`` takes it with :func:`claim` (once, and only the router that
   opened it: a router used as another's tier finds none) and rebuilds the run's
   callback manager from the same config with the same
   ``CallbackManager.configure`` call ``stream()`` makes, under the run id fixed
   in step 1.

That manager is only read (metadata, tags) and used for the ``hetero_shadow``
custom event; no LLM event goes through it, so handlers see the streamed call
exactly as before: one run, the router's tokens.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.runnables.config import ensure_config
from langchain_core.utils.uuid import uuid7

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import RunnableConfig

T = TypeVar("T")
M = TypeVar("M", CallbackManagerForLLMRun, AsyncCallbackManagerForLLMRun)

# kwargs that stream() pops before it computes the run's tracing metadata
_POPPED = ("ls_structured_output_format", "structured_output_format")


class StreamRun:
    """A streamed call's config, with its run id fixed before the run opens.

    Args:
        model: The router whose ``stream`` / ``astream`` this is.
        config: The caller's config (``None`` for none).
        stop: The call's stop sequences.
        kwargs: The call's kwargs, as ``stream()`` gets them.
    """

    __slots__ = ("_claimed", "config", "kwargs", "model", "run_id", "stop")

    def __init__(
        self,
        model: BaseChatModel,
        config: RunnableConfig | None,
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> None:
        self.config = ensure_config(config)
        run_id = self.config.get("run_id")
        if run_id is None:
            run_id = self.config["run_id"] = uuid7()
        self.run_id: UUID = run_id
        self.model = model
        self.stop = stop
        self.kwargs = kwargs
        self._claimed = False

    def _configure_args(self) -> tuple[Any, ...]:
        """The arguments ``stream()`` passes to ``CallbackManager.configure``."""
        model, config = self.model, self.config
        kwargs = {k: v for k, v in self.kwargs.items() if k not in _POPPED}
        inheritable_metadata = {
            **(config.get("metadata") or {}),
            **model._get_ls_params_with_defaults(stop=self.stop, **kwargs),
        }
        return (
            config.get("callbacks"),
            model.callbacks,
            model.verbose,
            config.get("tags"),
            model.tags,
            inheritable_metadata,
            model.metadata,
        )

    def run_manager(self) -> CallbackManagerForLLMRun:
        """The run's callback manager, as ``stream()``'s ``on_chat_model_start`` made it."""
        return self._for_run(CallbackManager, CallbackManagerForLLMRun)

    def async_run_manager(self) -> AsyncCallbackManagerForLLMRun:
        """The run's async callback manager, as ``astream()`` made it."""
        return self._for_run(AsyncCallbackManager, AsyncCallbackManagerForLLMRun)

    def _for_run(self, manager_type: type[Any], run_type: type[M]) -> M:
        """``manager_type`` configured from the call, narrowed to this run as ``run_type``."""
        manager = manager_type.configure(*self._configure_args())
        return run_type(
            run_id=self.run_id,
            handlers=manager.handlers,
            inheritable_handlers=manager.inheritable_handlers,
            parent_run_id=manager.parent_run_id,
            tags=manager.tags,
            inheritable_tags=manager.inheritable_tags,
            metadata=manager.metadata,
            inheritable_metadata=manager.inheritable_metadata,
        )


_OPENING: ContextVar[StreamRun | None] = ContextVar("hetero_stream_run", default=None)


def claim(model: BaseChatModel) -> StreamRun | None:
    """The streamed run ``model`` is opening now, if any; each run is claimed once."""
    run = _OPENING.get()
    if run is None or run.model is not model or run._claimed:
        return None
    run._claimed = True
    return run


def linked(run: StreamRun, chunks: Iterator[T]) -> Generator[T, None, None]:
    """``chunks``, with ``run`` claimable during the first step only."""
    try:
        token = _OPENING.set(run)
        try:
            first = next(chunks)
        except StopIteration:
            return
        finally:
            _OPENING.reset(token)
        yield first
        yield from chunks
    finally:
        if isinstance(chunks, Generator):
            chunks.close()  # closed early by the consumer: end the run (LangChain reports it)


async def alinked(run: StreamRun, chunks: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """Async :func:`linked`."""
    try:
        token = _OPENING.set(run)
        try:
            first = await anext(chunks)
        except StopAsyncIteration:
            return
        finally:
            _OPENING.reset(token)
        yield first
        async for chunk in chunks:
            yield chunk
    finally:
        if isinstance(chunks, AsyncGenerator):
            await chunks.aclose()
