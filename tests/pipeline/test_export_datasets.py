"""S5 export: OpenAI JSONL, Hugging Face datasets and ShareGPT, written atomically.

(Named ``test_export_datasets`` because ``tests/logs/test_export.py`` exists and
test modules here are imported by basename.)
"""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    messages_to_dict,
)
from select_fakes import WEATHER, call, clustering, example, weather_example

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline import export as export_module
from hetero_agents.pipeline.export import export

TRAIN = [weather_example(f"t{i}", c, split="train") for i, c in enumerate(["Paris", "Rome"])]
EVAL = [weather_example("e0", "Oslo")]
CHAT = [example("x0", "Say hi", AIMessage(content="Hi there!"), split="train", system=None)]
CLUSTERS = clustering({0: [*TRAIN, *EVAL], 1: CHAT})
ROLES = {"system", "user", "assistant", "tool"}


def multi_turn() -> object:
    """A call made after a tool round trip whose recorded call had no id."""
    history = [
        SystemMessage("sys"),
        HumanMessage("Weather in Lima?"),
        call("get_weather", {"city": "Lima"}, call_id=None),
        ToolMessage("20C", tool_call_id=""),
    ]
    base = example("t9", "x", AIMessage(content="Lima: 20C."), split="train", tools=[WEATHER])
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    return type(base)(**{**fields, "messages": messages_to_dict(history)})


def check_openai_line(line: dict) -> None:
    """The checks OpenAI's fine-tuning format validator makes on one example."""
    assert isinstance(line["messages"], list)
    assert line["messages"]
    assert line["messages"][-1]["role"] == "assistant"
    for message in line["messages"]:
        assert message["role"] in ROLES
        for tool_call in message.get("tool_calls", []):
            assert isinstance(tool_call["id"], str)
            assert tool_call["id"]
            assert tool_call["type"] == "function"
            assert isinstance(tool_call["function"]["name"], str)
            assert isinstance(json.loads(tool_call["function"]["arguments"]), dict)
        if message["role"] == "tool":
            assert message["tool_call_id"]
    for tool in line.get("tools", []):
        assert tool["type"] == "function"
        assert tool["function"]["parameters"]["type"] == "object"


def test_openai_jsonl_per_cluster(tmp_path):
    paths = export(
        [*TRAIN, *EVAL, *CHAT, multi_turn()],
        clustering({0: [*TRAIN, *EVAL, multi_turn()], 1: CHAT}),
        tmp_path / "out",
        formats=("openai",),
    )
    assert paths == {"openai": tmp_path / "out" / "openai"}
    lines = [json.loads(x) for x in (paths["openai"] / "cluster-0.jsonl").read_text().splitlines()]
    assert len(lines) == 3  # train only: the eval example stays held out
    for line in lines:
        check_openai_line(line)
    first = lines[0]
    assert first["tools"] == [WEATHER]
    assert first["messages"][-1]["tool_calls"][0]["function"]["arguments"] == '{"city": "Paris"}'
    round_trip = lines[2]["messages"]
    assert [m["role"] for m in round_trip] == ["system", "user", "assistant", "tool", "assistant"]
    assert round_trip[3]["tool_call_id"] == round_trip[2]["tool_calls"][0]["id"]  # ids repaired
    chat = json.loads((paths["openai"] / "cluster-1.jsonl").read_text())
    assert chat == {
        "messages": [
            {"role": "user", "content": "Say hi"},
            {"role": "assistant", "content": "Hi there!"},
        ]
    }
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [(c["id"], c["examples"]) for c in manifest["clusters"]] == [(0, 3), (1, 1)]
    assert manifest["clusters"][0]["files"] == {"openai": "openai/cluster-0.jsonl"}


def test_hugging_face_dataset_round_trip(tmp_path):
    import datasets

    paths = export([*TRAIN, *EVAL, *CHAT], CLUSTERS, tmp_path / "out", formats=("hf",), split="all")
    loaded = datasets.load_from_disk(str(paths["hf"]))
    assert set(loaded) == {"cluster_0", "cluster_1"}
    assert loaded["cluster_0"].num_rows == 3
    row = loaded["cluster_0"][0]
    assert (row["call_id"], row["cluster_id"], row["split"]) == ("e0", 0, "eval")
    assert row["messages"][-1]["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Oslo"}',
    }
    assert json.loads(row["tools"]) == [WEATHER]
    assert loaded["cluster_1"][0]["messages"][-1]["content"] == "Hi there!"


def test_sharegpt_conversations(tmp_path):
    paths = export(
        [*TRAIN, *CHAT, multi_turn()],
        clustering({0: [*TRAIN, multi_turn()], 1: CHAT}),
        tmp_path / "out",
        formats=("sharegpt",),
    )
    records = json.loads((paths["sharegpt"] / "cluster-0.json").read_text())
    assert records[0]["system"] == "You are a helpful weather agent."
    assert [t["from"] for t in records[0]["conversations"]] == ["human", "function_call"]
    assert json.loads(records[0]["conversations"][1]["value"]) == {
        "name": "get_weather",
        "arguments": {"city": "Paris"},
    }
    assert json.loads(records[0]["tools"]) == [WEATHER["function"]]
    assert [t["from"] for t in records[2]["conversations"]] == [
        "human",
        "function_call",
        "observation",
        "gpt",
    ]
    chat = json.loads((paths["sharegpt"] / "cluster-1.json").read_text())
    assert chat == [
        {
            "conversations": [
                {"from": "human", "value": "Say hi"},
                {"from": "gpt", "value": "Hi there!"},
            ]
        }
    ]


def test_an_existing_export_is_replaced_only_after_success(tmp_path, monkeypatch):
    out = tmp_path / "out"
    export([*TRAIN, *CHAT], CLUSTERS, out, formats=("openai",))
    before = (out / "openai" / "cluster-0.jsonl").read_text()

    def boom(*args):
        raise RuntimeError("disk full")

    monkeypatch.setitem(export_module._WRITERS, "sharegpt", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        export([*TRAIN[:1], *CHAT], CLUSTERS, out, formats=("openai", "sharegpt"))
    assert (out / "openai" / "cluster-0.jsonl").read_text() == before
    assert not (out / "sharegpt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left

    monkeypatch.undo()
    export([*TRAIN[:1], *CHAT], CLUSTERS, out, formats=("sharegpt",))
    assert not (out / "openai").exists()  # replaced, not merged
    assert (out / "sharegpt" / "cluster-0.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_nothing_to_export_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="nothing to export"):
        export(EVAL, CLUSTERS, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(PipelineError, match="formats"):
        export(TRAIN, CLUSTERS, tmp_path / "out", formats=("csv",))  # type: ignore[arg-type]
    (tmp_path / "file").write_text("x")
    with pytest.raises(PipelineError, match="not a folder"):
        export(TRAIN, CLUSTERS, tmp_path / "file")
