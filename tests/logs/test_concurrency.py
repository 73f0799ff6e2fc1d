"""Nothing is lost: many threads, an asyncio fan-out, several processes, overflow, locks."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from uuid import UUID

import pytest
from capture_fakes import ScriptedChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from hetero_agents.logs import CallLogger, CaptureWarning, LogStore, capture

ANSWER = LLMResult(generations=[[ChatGeneration(message=AIMessage("ok"))]])


def drive(logger: CallLogger, n: int, node: str) -> None:
    """Fire the callbacks of ``n`` calls directly: the handler's own cost, at volume."""
    for i in range(n):
        run_id = UUID(int=random.getrandbits(128))  # uuid4's urandom is slow in sandboxes
        logger.on_chat_model_start(
            {}, [[HumanMessage(f"{node} {i}")]], run_id=run_id, metadata={"langgraph_node": node}
        )
        logger.on_llm_end(ANSWER, run_id=run_id)


def _threads(target: object, args: list[tuple[object, ...]]) -> None:
    threads = [threading.Thread(target=target, args=a) for a in args]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_eight_threads_and_an_asyncio_fan_out_lose_nothing(db_path: Path) -> None:
    per_thread, fan_out = 2_500, 1_500
    model = ScriptedChatModel(respond=lambda m: AIMessage(f"re: {m[-1].content}"))
    # Eight threads in a tight loop outrun any writer; "block" must then wait, not drop.
    with CallLogger(db_path, block_timeout=60) as logger:
        _threads(drive, [(logger, per_thread, f"thread-{t}") for t in range(8)])

        async def fan() -> None:
            with capture(logger):
                await asyncio.gather(*(model.ainvoke(f"async {i}") for i in range(fan_out)))

        asyncio.run(fan())
        assert logger.flush(timeout=60)
        store = logger.store
        assert store.count() == 8 * per_thread + fan_out
        for t in range(8):
            assert store.count(node=f"thread-{t}") == per_thread
        (distinct,) = store.db.execute("SELECT count(DISTINCT id) FROM calls").fetchone()
        assert distinct == store.count()
        assert store.count(search="async") == fan_out
    assert logger.health.counts() == {}


def test_real_invokes_from_threads_lose_nothing(db_path: Path) -> None:
    model = ScriptedChatModel(respond=lambda _m: AIMessage("ok"))

    def invoke_many(logger: CallLogger, n: int) -> None:
        for i in range(n):
            model.invoke(f"hello {i}", {"callbacks": [logger]})

    with CallLogger(db_path) as logger:
        _threads(invoke_many, [(logger, 100)] * 8)
        logger.flush()
        assert logger.store.count() == model.n_calls == 800


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    locked.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


def test_a_locked_database_is_retried_until_free(db_path: Path) -> None:
    store = LogStore(db_path, busy_timeout=0.05)
    logger = CallLogger(store)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db_path, 0.6, locked))
    holder.start()
    locked.wait()
    drive(logger, 50, "during-lock")
    assert logger.flush(timeout=30)
    holder.join()
    assert store.count() == 50
    assert logger.health.counts().get("write_retries", 0) > 0
    assert "write_failed" not in logger.health.counts()
    logger.close()
    store.close()


def test_drop_overflow_is_counted_warned_and_persisted(db_path: Path) -> None:
    store = LogStore(db_path, busy_timeout=5)
    logger = CallLogger(store, queue_size=10, overflow="drop", batch_size=5)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(db_path, 0.5, locked))
    holder.start()
    locked.wait()
    with pytest.warns(CaptureWarning, match=r"queue stayed full"):
        drive(logger, 100, "burst")
    holder.join()
    assert logger.flush(timeout=30)
    dropped = logger.health.counts()["dropped_queue_full"]
    assert 0 < dropped < 100
    assert store.count() + dropped == 100
    assert store.health()["dropped_queue_full"].count == dropped
    logger.close()
    store.close()


def test_block_overflow_waits_briefly_instead_of_dropping(db_path: Path) -> None:
    with CallLogger(db_path, queue_size=4, overflow="block", block_timeout=5.0) as logger:
        drive(logger, 300, "steady")
        logger.flush()
        assert logger.store.count() == 300
        assert logger.health.counts() == {}


def test_a_failing_row_costs_that_row_only(db_path: Path) -> None:
    with LogStore(db_path) as store:
        store.db.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON calls WHEN new.node = 'poison' "
            "BEGIN SELECT RAISE(ABORT, 'simulated disk error'); END"
        )
    with CallLogger(db_path) as logger:

        def record_and_flush() -> None:
            drive(logger, 10, "good")
            drive(logger, 2, "poison")
            drive(logger, 10, "good")
            logger.flush()

        with pytest.warns(CaptureWarning, match=r"could not be written.*simulated disk error"):
            record_and_flush()
        assert logger.store.count() == 20
        assert logger.health.counts()["write_failed"] == 2
        assert logger.store.health()["write_failed"].count == 2


def test_rows_after_close_are_counted_not_raised(db_path: Path) -> None:
    logger = CallLogger(db_path)
    logger.close()
    with pytest.warns(CaptureWarning, match="after the logger was closed"):
        drive(logger, 3, "late")
    assert logger.health.counts() == {"dropped_after_close": 3}


CHILD = textwrap.dedent(
    """
    import random
    import sys
    from uuid import UUID
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_core.outputs import ChatGeneration, LLMResult
    from hetero_agents.logs import CallLogger

    path, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    answer = LLMResult(generations=[[ChatGeneration(message=AIMessage("ok"))]])
    logger = CallLogger(path)

    def call(seq):
        run_id = UUID(int=random.getrandbits(128))
        logger.on_chat_model_start(
            {}, [[HumanMessage("hi")]], run_id=run_id, metadata={"seq": seq, "pid": mode}
        )
        logger.on_llm_end(answer, run_id=run_id)

    for seq in range(n):
        call(seq)
    if mode == "crash":
        assert logger.flush(timeout=60)
        print("flushed", flush=True)
        seq = n
        while True:  # keep writing until killed mid-flight
            call(seq)
            seq += 1
    if mode != "atexit":  # "atexit": rely on interpreter exit to flush
        logger.close()
    """
)


def _child(tmp_path: Path, db_path: Path, n: int, mode: str) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen(
        [sys.executable, str(script), str(db_path), str(n), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_several_processes_write_one_database(tmp_path: Path, db_path: Path) -> None:
    LogStore(db_path).close()
    children = [_child(tmp_path, db_path, 1_000, f"p{i}") for i in range(3)]
    try:
        for child in children:
            _out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
    finally:
        for child in children:
            child.kill()
            child.communicate()
    with LogStore(db_path) as store:
        assert store.count() == 3_000
        assert store.health() == {}


def test_sigkill_right_after_flush_keeps_every_flushed_row(tmp_path: Path, db_path: Path) -> None:
    n = 500
    child = _child(tmp_path, db_path, n, "crash")
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        time.sleep(0.05)  # let it get on with the next batch
    finally:
        child.kill()  # SIGKILL: no atexit, no flush, a transaction possibly half written
        _out, err = child.communicate(timeout=30)
    assert line.strip() == "flushed", err
    with LogStore(db_path) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        seqs = {
            seq
            for (seq,) in store.db.execute("SELECT json_extract(metadata_json, '$.seq') FROM calls")
        }
        assert set(range(n)) <= seqs


def test_interpreter_exit_flushes_what_was_never_flushed(tmp_path: Path, db_path: Path) -> None:
    child = _child(tmp_path, db_path, 700, "atexit")
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    with LogStore(db_path) as store:
        assert store.count() == 700
