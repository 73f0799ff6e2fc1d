"""One ``Llama`` is not re-entrant: concurrent calls must be serialised, never mixed.

Eight prompts run serially first; then the same prompts run at once from threads,
from asyncio tasks, and from both, through two ChatLlamaCpp wrappers around the same
client. At temperature 0 any interleaving inside llama.cpp would change the answers.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hetero_agents.chat_models import ChatLlamaCpp
from hetero_agents.chat_models._client_state import client_state

pytestmark = pytest.mark.model

PROMPTS = [
    "Name a colour.",
    "Name an animal.",
    "What is 3+4?",
    "Say hello in Spanish.",
    "Name a planet.",
    "What is the capital of Italy?",
    "Name a fruit.",
    "Name a month.",
]


@pytest.fixture(scope="module")
def pair(smollm2_llama: Any) -> tuple[ChatLlamaCpp, ChatLlamaCpp]:
    """Two wrappers around one client, as when one model is bound two ways."""
    return (
        ChatLlamaCpp(client=smollm2_llama, max_tokens=24),
        ChatLlamaCpp(client=smollm2_llama, max_tokens=24, stop=["\n\n\n"]),
    )


@pytest.fixture(scope="module")
def serial(pair: tuple[ChatLlamaCpp, ChatLlamaCpp]) -> list[str]:
    return [str(pair[0].invoke(p).content) for p in PROMPTS]


def test_the_lock_belongs_to_the_client(pair: tuple[ChatLlamaCpp, ChatLlamaCpp]) -> None:
    assert client_state(pair[0].llama).lock is client_state(pair[1].llama).lock


def test_threads_get_the_serial_answers(
    pair: tuple[ChatLlamaCpp, ChatLlamaCpp], serial: list[str]
) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: pair[i % 2].invoke(PROMPTS[i]).content, range(8)))
    assert answers == serial


def test_asyncio_tasks_get_the_serial_answers(
    pair: tuple[ChatLlamaCpp, ChatLlamaCpp], serial: list[str]
) -> None:
    async def run() -> list[Any]:
        return await asyncio.gather(*(pair[i % 2].ainvoke(PROMPTS[i]) for i in range(8)))

    assert [m.content for m in asyncio.run(run())] == serial


def test_threads_and_tasks_at_once(
    pair: tuple[ChatLlamaCpp, ChatLlamaCpp], serial: list[str]
) -> None:
    async def streamed(i: int) -> str:
        return "".join([str(c.content) async for c in pair[1].astream(PROMPTS[i])])

    async def run() -> list[str]:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(4) as pool:
            threaded = [
                loop.run_in_executor(pool, lambda i=i: str(pair[0].invoke(PROMPTS[i]).content))
                for i in range(0, 8, 2)
            ]
            tasks = [streamed(i) for i in range(1, 8, 2)]
            results = await asyncio.gather(*threaded, *tasks)
        return [results[i // 2] if i % 2 == 0 else results[4 + i // 2] for i in range(8)]

    assert asyncio.run(run()) == serial


def test_the_event_loop_is_not_blocked_while_generating(
    pair: tuple[ChatLlamaCpp, ChatLlamaCpp],
) -> None:
    async def run() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await pair[0].ainvoke("Write a sentence about rivers.")
        task.cancel()
        return ticks

    assert asyncio.run(run()) > 5


def test_abandoned_async_stream_frees_the_model(pair: tuple[ChatLlamaCpp, ChatLlamaCpp]) -> None:
    long = pair[0].model_copy(update={"max_tokens": 400})

    async def run() -> str:
        stream = long.astream("Count from one to two hundred.")
        async for _ in stream:
            break
        await stream.aclose()
        answer = await asyncio.wait_for(pair[1].ainvoke("Hi"), timeout=60)
        return str(answer.content)

    assert asyncio.run(run())
