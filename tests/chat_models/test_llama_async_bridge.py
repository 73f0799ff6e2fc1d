"""iterate_in_thread: items arrive in order, errors cross over, early exit stops the producer."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor

import pytest

from hetero_agents.chat_models._async_bridge import iterate_in_thread


async def test_items_arrive_in_order_and_off_the_event_loop_thread() -> None:
    loop_thread = threading.get_ident()
    seen_threads: list[int] = []

    def produce(cancelled: threading.Event) -> Generator[int, None, None]:
        for i in range(5):
            seen_threads.append(threading.get_ident())
            yield i

    with ThreadPoolExecutor(1) as pool:
        items = [item async for item in iterate_in_thread(pool, produce)]
    assert items == [0, 1, 2, 3, 4]
    assert loop_thread not in seen_threads


async def test_producer_errors_are_raised_in_the_consumer() -> None:
    def produce(cancelled: threading.Event) -> Generator[int, None, None]:
        yield 1
        raise KeyError("boom")

    got: list[int] = []

    async def consume(pool: ThreadPoolExecutor) -> None:
        async for item in iterate_in_thread(pool, produce):
            got.append(item)

    with ThreadPoolExecutor(1) as pool, pytest.raises(KeyError, match="boom"):
        await consume(pool)
    assert got == [1]


async def test_leaving_early_cancels_and_closes_the_producer() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def produce(cancelled: threading.Event) -> Generator[int, None, None]:
        try:
            for i in range(1000):
                if cancelled.is_set():
                    return
                produced.append(i)
                yield i
                time.sleep(0.005)
        finally:
            closed.set()

    with ThreadPoolExecutor(1) as pool:
        stream = iterate_in_thread(pool, produce)
        async for item in stream:
            if item == 2:
                break
        await stream.aclose()
        assert closed.wait(5)
    assert len(produced) < 1000
