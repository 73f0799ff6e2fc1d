"""Run a blocking iterator on a worker thread and consume it from asyncio.

llama.cpp releases the GIL while it computes but blocks the calling thread, so the
event loop must never run it directly. The worker pushes each item onto an
``asyncio.Queue`` through ``call_soon_threadsafe``; when the consumer stops early
(``break``, cancellation, an exception) the worker is told through a
``threading.Event`` that the producer checks between tokens, so the model is freed
within one token instead of finishing a response nobody reads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Generator
from concurrent.futures import Executor
from contextlib import closing
from typing import Generic, TypeVar

T = TypeVar("T")


class _Item(Generic[T]):
    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


class _Done:
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def iterate_in_thread(
    executor: Executor, produce: Callable[[threading.Event], Generator[T, None, None]]
) -> AsyncIterator[T]:
    """Yield the items of ``produce(cancelled)``, which runs on ``executor``.

    Args:
        executor: Where the blocking iteration runs.
        produce: Builds the blocking iterator; it should stop soon after the
            event it receives is set.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[_Item[T] | _Done] = asyncio.Queue()
    cancelled = threading.Event()

    def post(message: _Item[T] | _Done) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, message)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            cancelled.set()

    def work() -> None:
        try:
            with closing(produce(cancelled)) as items:
                for item in items:
                    if cancelled.is_set():
                        break
                    post(_Item(item))
        except BaseException as exc:  # handed to the consumer, re-raised there
            post(_Done(exc))
        else:
            post(_Done(None))

    future = loop.run_in_executor(executor, work)
    try:
        while True:
            message = await queue.get()
            if isinstance(message, _Done):
                if message.error is not None:
                    raise message.error
                break
            yield message.value
    finally:
        cancelled.set()
        if future.done():
            future.result()
