"""The writer's fast encoding paths write what the plain paths would.

Rows are encoded off the agent's thread with ``orjson`` and a cached timestamp
prefix; both must be invisible in the stored text (up to the documented NaN and
Enum cases) and fall back to the standard library for whatever they refuse.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import random
import sys
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hetero_agents.logs import _encode
from hetero_agents.logs._encode import RowEncoder, dumps_json, utc_text_slow
from hetero_agents.logs._rows import CALL_COLUMNS, CALLS

STDLIB = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Tier(enum.StrEnum):
    SLM = "slm"


class Score(float):
    """A float subclass, like ``numpy.float64``."""


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": [value]}
    return value


VALUES: list[Any] = [
    {"role": "user", "content": 'Grüße, 東京 — "quoted" \\ back\nslash\t\u0001'},
    [{"type": "human", "data": {"content": "hi", "id": None, "additional_kwargs": {}}}],
    {"n": 1, "f": 0.1, "tiny": 1e-05, "big": 1e16, "neg": -2.5, "t": True, "none": None},
    {7: "int key", 2.5: "float key", True: "bool key", None: "none key"},
    {"when": datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "day": date(2025, 1, 2)},
    {"point": Point(1, 2), "id": uuid.UUID(int=7), "set": {3}, "bytes": b"\x00"},
    {"tier": Tier.SLM, "score": Score(0.75)},
    {"huge": 2**80, "tuple": (1, "a")},  # beyond 64 bits: orjson refuses, stdlib writes it
    nested(300),  # deeper than orjson's 254 levels
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_fast_json_reads_back_as_the_standard_encoder_writes(value: Any) -> None:
    assert json.loads(dumps_json(value)) == json.loads(STDLIB.encode(value))


def test_fast_json_is_compact_and_keeps_non_ascii_text() -> None:
    assert dumps_json({"a": [1, "ü"]}) == '{"a":[1,"ü"]}'


def test_values_json_cannot_hold_differ_only_as_documented() -> None:
    if dumps_json is _encode._stdlib_dumps:
        pytest.skip("orjson is not installed: the standard encoder writes everything")

    class Plain(enum.Enum):
        RED = "red"

    assert dumps_json({"x": float("nan"), "y": float("inf")}) == '{"x":null,"y":null}'
    assert dumps_json([Plain.RED]) == '["red"]'


def test_without_orjson_the_standard_encoder_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # makes ``import orjson`` fail
    assert _encode._make_fast_dumps() is _encode._stdlib_dumps


def test_cached_timestamps_match_datetime_exactly() -> None:
    rng = random.Random(5)
    base = 1_760_000_000.0
    stamps = [base + rng.random() * 5 for _ in range(5_000)]  # a few seconds, any order
    stamps += [base + 0.9999996, base + 0.9999995, base + 0.0000005, base + 0.0000015, base]
    stamps += [0.25, 1.0, 253_402_300_799.0]  # the epoch and the last second of year 9999
    encoder = RowEncoder(None)
    assert [encoder.utc_text(s) for s in stamps] == [utc_text_slow(s) for s in stamps]


def test_encoded_row_has_iso_time_and_json_columns() -> None:
    row = {
        "id": "01ABC",
        "datetime_utc": 1_760_000_000.5,
        "status": "ok",
        "messages_json": [{"content": "hi"}],
        "usage_json": {"input_tokens": 3},
        "tools_json": None,
    }
    sql, values = RowEncoder(None).encode(CALLS, row)
    columns = sql[sql.index("(") + 1 : sql.index(")")].split(", ")
    by_column = dict(zip(columns, values, strict=True))
    assert by_column == {
        "id": "01ABC",
        "datetime_utc": "2025-10-09T08:53:20.500000+00:00",
        "messages_json": '[{"content":"hi"}]',
        "usage_json": '{"input_tokens":3}',
        "status": "ok",
    }
    assert columns == [c for c in CALL_COLUMNS if c in by_column]  # insert order kept


def test_rows_of_one_shape_share_one_statement() -> None:
    encoder = RowEncoder(None)
    base = {"id": "01A", "datetime_utc": 1.0, "status": "ok"}
    first, _ = encoder.encode(CALLS, {**base, "model": "a"})
    second, _ = encoder.encode(CALLS, {**base, "id": "01B", "model": "b", "node": None})
    other, _ = encoder.encode(CALLS, {**base, "node": "n"})
    assert first is second
    assert other != first
