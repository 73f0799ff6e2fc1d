"""Small pieces with sharp edges: ids, warn-once health counters, time filters."""

from __future__ import annotations

import time
import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hetero_agents.logs._health import CaptureHealth, CaptureWarning
from hetero_agents.logs._ids import new_ulid, ulid_int, ulid_text, ulid_timestamp
from hetero_agents.logs._query import cutoff, utc_text, where_clause


def test_ulids_are_26_crockford_chars_sortable_by_time_and_unique() -> None:
    now = time.time()
    ids = [new_ulid(now + i / 1000) for i in range(2000)]
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in ids)
    assert len(set(ids)) == 2000
    later = [new_ulid(now + 3 + i) for i in range(50)]
    assert max(ids) < min(later)
    assert ulid_timestamp(ids[0]) == pytest.approx(now, abs=0.001)


def test_ulids_encode_the_millisecond_and_80_random_bits_in_order() -> None:
    import random

    def reference(millis: int, bits: int) -> str:  # the ULID spec, digit by digit
        value = (millis << 80) | bits
        return "".join(
            "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(value >> (5 * i)) & 31] for i in range(25, -1, -1)
        )

    stamps = [1_700_000_000.123, 1_700_000_000.1234, 1_700_000_000.124, 2**47 / 1000, 0.0]
    for stamp in stamps:  # the repeated millisecond takes the cached time part
        state = random.getstate()
        made = new_ulid(stamp)
        random.setstate(state)
        assert made == reference(int(stamp * 1000), random.getrandbits(80))
    for _ in range(200):  # the writer spells numbers the agent's thread drew
        millis, bits = random.getrandbits(48), random.getrandbits(80)
        assert ulid_text((millis << 80) | bits) == reference(millis, bits)
    assert ulid_int(stamps[0]) >> 80 == int(stamps[0] * 1000)


def test_uuid_text_is_str_of_the_uuid() -> None:
    import uuid

    from hetero_agents.logs._calls import uuid_text

    samples = [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID(int=255)]
    samples += [uuid.uuid4() for _ in range(500)]
    assert [uuid_text(u) for u in samples] == [str(u) for u in samples]


def test_health_warns_once_per_kind_and_hands_counts_to_the_writer() -> None:
    health = CaptureHealth("db.sqlite")
    with pytest.warns(CaptureWarning, match=r"queue stayed full.*\(db.sqlite\)"):
        health.record("dropped_queue_full")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        health.record("dropped_queue_full", 2)
        health.record("write_retries")  # not a failure: never warned about
    assert health.counts() == {"dropped_queue_full": 3, "write_retries": 1}
    rows = health.take_unpersisted()
    assert sorted((name, n) for name, n, _m, _t in rows) == [
        ("dropped_queue_full", 3),
        ("write_retries", 1),
    ]
    assert health.take_unpersisted() == []
    health.give_back(rows)  # a failed write hands them back for the next try
    assert {name: n for name, n, _m, _t in health.take_unpersisted()} == {
        "dropped_queue_full": 3,
        "write_retries": 1,
    }


def test_warnings_as_errors_never_reach_the_caller() -> None:
    health = CaptureHealth()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        health.record("write_failed", 1, OSError("disk full"))
    assert health.counts() == {"write_failed": 1}


def test_times_compare_as_utc_text() -> None:
    paris = timezone(timedelta(hours=2))
    assert utc_text(datetime(2025, 6, 1, 14, 0, tzinfo=paris)) == "2025-06-01T12:00:00.000000+00:00"
    assert utc_text("2025-06-01") == "2025-06-01T00:00:00.000000+00:00"  # naive = UTC
    age = datetime.fromisoformat(cutoff(timedelta(hours=1)))
    assert abs((datetime.now(UTC) - age) - timedelta(hours=1)) < timedelta(seconds=5)


def test_filters_bind_values_as_parameters() -> None:
    sql, params = where_clause({"node": "x' OR 1=1 --", "tier": ["slm", "llm"], "top_level": True})
    assert "x'" not in sql
    assert params == ["x' OR 1=1 --", "slm", "llm"]
    assert sql.count("?") == 3
    assert "parent_call_id IS NULL" in sql


def test_clean_texts_skip_rescans_but_never_hide_findings() -> None:
    from capture_fakes import CountingRedactor

    from hetero_agents.logs._redact_cache import CleanTexts

    counting = CountingRedactor()
    scans = counting.scans
    cache = CleanTexts(limit=2)
    clean = "You are a careful assistant that extracts order numbers."
    dirty = "Please write to carol@example.com about order 48213 today."
    for _ in range(3):
        scope = cache.scope(counting)
        assert scope.redact(clean) == clean
        assert scope.redact(dirty) == "Please write to <EMAIL_1> about order 48213 today."
        assert scope.redact("carol@example.com") == "<EMAIL_1>"  # one scope per call
    assert scans.count(clean) == 1  # scanned once, then known clean
    assert counting.scopes == 3  # each call opened its redactor's scope once, when needed
    untouched = cache.scope(counting)
    assert untouched.redact(clean) == clean
    assert counting.scopes == 3  # every text known clean: no scope opened at all
    assert scans.count(dirty) == 3  # a text with findings is always scanned
    cache.add("a" * 40)
    cache.add("b" * 40)  # over the limit: the cache starts over rather than grow
    assert clean not in cache
