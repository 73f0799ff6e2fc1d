"""The query API the pipeline reads through: filters, one call, stats, purge, shadows."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from capture_fakes import ScriptedChatModel, usage
from langchain_core.messages import AIMessage

from hetero_agents.errors import LogStoreError
from hetero_agents.logs import CallLogger, LogStore, Price
from hetero_agents.logs._stats import percentile

DAY = timedelta(days=1)
NOW = datetime.now(UTC)


def _record(logger: CallLogger, text: str, node: str, tier: str, fail: bool = False) -> None:
    model = ScriptedChatModel(
        respond=lambda _m: AIMessage(f"answer to {text}", usage_metadata=usage(100, 10)),
        model_name=f"model-{tier}",
        fail_with=RuntimeError if fail else None,
    )
    metadata = {"langgraph_node": node, "hetero_tier": tier, "hetero_task": node}
    config = {"callbacks": [logger], "metadata": metadata, "configurable": {}}
    with contextlib.suppress(RuntimeError):  # failures are recorded, then re-raised
        model.invoke(text, config)  # type: ignore[arg-type]


@pytest.fixture
def store(db_path: Path) -> LogStore:
    """Six calls over three days: two nodes, two tiers, one failure."""
    prices = {"model-llm": Price(10.0, 30.0)}
    with CallLogger(db_path, prices=prices) as logger:
        _record(logger, "refund the order", "extract", "llm")
        _record(logger, "classify this ticket", "classify", "slm")
        _record(logger, "classify another ticket", "classify", "slm")
        _record(logger, "summarise the refund", "extract", "llm")
        _record(logger, "broken request", "extract", "llm", fail=True)
        _record(logger, "old ticket", "classify", "slm")
    store = LogStore(db_path)
    # Spread them in time: two days ago, yesterday, today (oldest first).
    ages = [2 * DAY, 2 * DAY, DAY, DAY, timedelta(0), 3 * DAY]
    durations = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    for (call_id,), age, ms in zip(
        store.db.execute("SELECT id FROM calls ORDER BY rowid").fetchall(),
        ages,
        durations,
        strict=True,
    ):
        when = (NOW - age).isoformat(timespec="microseconds")
        store.db.execute(
            "UPDATE calls SET datetime_utc = ?, duration_ms = ? WHERE id = ?", [when, ms, call_id]
        )
    return store


def test_filters_combine(store: LogStore) -> None:
    assert store.count() == 6
    assert store.count(node="extract") == 3
    assert store.count(node=["extract", "classify"], tier="slm") == 3
    assert store.count(status="error") == 1
    assert store.count(model="model-llm", status="ok") == 2
    assert store.count(task="classify") == 3
    assert store.count(since=NOW - 1.5 * DAY) == 3
    assert store.count(since=NOW - 2.5 * DAY, until=NOW - 0.5 * DAY) == 4
    assert store.count(until=(NOW - 2.5 * DAY).isoformat()) == 1
    assert store.count(search="refund") == 2
    assert store.count(search="refund", node="classify") == 0
    assert store.count(top_level=True) == 6
    assert store.count(top_level=False) == 0
    with pytest.raises(TypeError, match="nod"):
        store.count(nod="extract")  # type: ignore[call-arg]


def test_calls_come_in_time_order_with_limits(store: LogStore) -> None:
    oldest_first = [c.prompt for c in store.calls()]
    assert oldest_first[0] == "old ticket"
    newest = [c.prompt for c in store.calls(newest_first=True, limit=2)]
    assert len(newest) == 2
    assert newest[0] == "broken request"
    times = [c.datetime_utc for c in store.calls()]
    assert times == sorted(times)


def test_get_call_by_prefix(store: LogStore) -> None:
    first = next(store.calls())
    assert store.get_call(first.id[:20].lower()).id == first.id
    with pytest.raises(LogStoreError, match="no call"):
        store.get_call("ZZZZ")
    with pytest.raises(LogStoreError, match="several"):
        store.get_call(first.id[:2])


def test_stats_by_node_model_and_tier(store: LogStore) -> None:
    stats = store.stats()
    assert stats.total.calls == 6
    assert stats.total.errors == 1
    assert stats.total.input_tokens == 500  # the failed call reported no usage
    by_node = {g.key: g for g in stats.by_node}
    assert by_node["extract"].calls == 3
    assert by_node["classify"].calls == 3
    assert by_node["extract"].p50_ms == 40.0
    assert by_node["extract"].p95_ms == 50.0
    by_tier = {g.key: g for g in stats.by_tier}
    # llm: two priced calls; slm: local price 0.
    assert by_tier["llm"].cost_usd == pytest.approx(2 * (100 * 10 + 10 * 30) / 1e6)
    assert by_tier["slm"].cost_usd == 0.0
    assert by_tier["llm"].unpriced == 1  # the failure has no usage
    by_model = {g.key for g in stats.by_model}
    assert by_model == {"model-llm", "model-slm"}
    recent = store.stats(since=NOW - 0.5 * DAY)
    assert recent.total.calls == 1
    assert recent.total.errors == 1
    assert stats.health == {}


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([1.0], 95) == 1.0
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0


def test_purge_deletes_old_rows_and_their_search_entries(store: LogStore) -> None:
    assert store.count(search="ticket") == 3
    result = store.purge(timedelta(days=1.5))
    assert result.calls == 3
    assert store.count() == 3
    assert store.count(search="ticket") == 1  # the FTS index followed the delete
    assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert store.purge(NOW - 10 * DAY).calls == 0


def test_shadow_results_are_recorded_and_summarised(db_path: Path) -> None:
    model = ScriptedChatModel(respond=lambda _m: AIMessage("served"))
    with CallLogger(db_path) as logger:
        model.invoke("hi", {"callbacks": [logger]})
        logger.flush()
        run_id = next(logger.store.calls()).run_id
        for agreed in (True, True, False, None):
            logger.on_custom_event(
                "hetero_shadow",
                {
                    "task": "extract",
                    "node": "extract",
                    "served_tier": "llm",
                    "served_model": "gpt-4o",
                    "shadow_tier": "slm",
                    "shadow_model": "qwen",
                    "agreed": agreed,
                    "similarity": 0.9 if agreed else None,
                    "kind": "text",
                    "error": None if agreed is not None else "timeout for bob@example.org",
                    "run_id": run_id,
                    "duration_s": 0.25,
                },
                run_id=run_id,  # type: ignore[arg-type]
            )
        logger.on_custom_event("something_else", {"x": 1}, run_id=run_id)  # type: ignore[arg-type]
        logger.flush()
        shadows = logger.store.shadow_results(task="extract")
        (agreement,) = logger.store.stats().shadow
        call = next(logger.store.calls())
    assert len(shadows) == 4
    assert {s.call_id for s in shadows} == {call.id}
    assert shadows[3].error == "timeout for <EMAIL_1>"
    assert shadows[0].duration_ms == 250.0
    assert (agreement.compared, agreement.agreed, agreement.errors) == (4, 2, 1)
    assert agreement.agreement == pytest.approx(2 / 3)


def test_memory_is_sqlites_in_memory_database_never_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = LogStore(":memory:")
    assert store.path is None
    assert list(store.calls()) == []  # migrated and queryable
    # A logger's writer thread would open a second, empty database of its own: refused.
    with pytest.raises(LogStoreError, match="file-backed"):
        CallLogger(":memory:")
    assert list(tmp_path.iterdir()) == []  # no file named ":memory:" was created
