"""The BFCL loader: real data from bfcl-eval, plus layout and error handling on fakes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from hetero_agents.errors import EvalDataError, EvalDataNotInstalledError
from hetero_agents.evals import (
    BFCL_INSTALL,
    ToolCallValidator,
    ast_match,
    bfcl,
    load_questions,
    sample_questions,
)


def _first_answer(options: Sequence[Any]) -> Any:
    """The first accepted value, unwrapping BFCL's nested {key: [options]} dict candidates."""
    value = next(o for o in options if o != "")
    if isinstance(value, dict):
        return {k: _first_answer(v) for k, v in value.items() if any(o != "" for o in v)}
    if isinstance(value, list):
        return [
            {k: _first_answer(v) for k, v in item.items() if any(o != "" for o in v)}
            if isinstance(item, dict)
            else item
            for item in value
        ]
    return value


@pytest.mark.parametrize(("category", "size"), [("simple", 400), ("multiple", 200)])
def test_every_ground_truth_is_a_valid_matching_call(category: str, size: int) -> None:
    questions = load_questions(category)  # type: ignore[arg-type]
    assert len(questions) == size
    invalid = []
    for q in questions:
        truth = q.ground_truth[0]
        assert truth.name in q.function_names
        args = {k: _first_answer(v) for k, v in truth.allowed.items() if any(o != "" for o in v)}
        call = {"name": truth.name, "args": args}
        assert ast_match([call], q).ok, q.id
        if ToolCallValidator(q.tools).problem(call) is not None:
            invalid.append(q.id)
    # BFCL's one inconsistent record: a string parameter whose answer is `True`.
    assert invalid == (["simple_python_307"] if category == "simple" else [])


def test_records_are_openai_tools_with_json_schema_types() -> None:
    q = next(q for q in load_questions("simple") if q.id == "simple_python_0")
    assert q.messages == ({"role": "user", "content": q.messages[0]["content"]},)
    (tool,) = q.tools
    params = tool["function"]["parameters"]
    assert tool["type"] == "function"
    assert params["type"] == "object"
    assert params["additionalProperties"] is False
    assert params["required"] == ["base", "height"]
    assert params["properties"]["base"]["type"] == "integer"
    assert q.parameters("calculate_triangle_area") is params
    assert q.parameters("nope") is None


def test_multiple_offers_several_functions() -> None:
    assert all(len(q.tools) >= 2 for q in load_questions("multiple"))


def test_sampling_is_seeded_ordered_and_bounded() -> None:
    a = sample_questions("multiple", 10, seed=3)
    assert [q.id for q in a] == [q.id for q in sample_questions("multiple", 10, seed=3)]
    assert [q.id for q in a] != [q.id for q in sample_questions("multiple", 10, seed=4)]
    assert len({q.id for q in a}) == 10
    index = [int(q.id.rsplit("_", 1)[1]) for q in a]
    assert index == sorted(index)
    with pytest.raises(EvalDataError, match=r"pick 1\.\.200"):
        sample_questions("multiple", 201)
    with pytest.raises(EvalDataError):
        sample_questions("multiple", 0)


def test_unknown_category_names_the_choices() -> None:
    with pytest.raises(EvalDataError, match="simple, multiple"):
        load_questions("parallel")  # type: ignore[arg-type]


def test_missing_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bfcl, "BFCL_DISTRIBUTION", "surely-not-installed-bfcl")
    with pytest.raises(EvalDataNotInstalledError) as info:
        load_questions("simple")
    assert isinstance(info.value, ImportError)
    assert BFCL_INSTALL in str(info.value)
    assert "--no-deps" in BFCL_INSTALL


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")


def test_fake_layout_is_parsed_and_bad_ones_are_typed_errors(tmp_path: Path) -> None:
    question = {
        "id": "multiple_0",
        "question": [[{"role": "user", "content": "hi"}]],
        "function": [
            {"name": "f", "description": "d", "parameters": {"type": "dict", "properties": {}}}
        ],
    }
    _write(tmp_path / "BFCL_v4_multiple.json", [question])
    _write(
        tmp_path / "possible_answer" / "BFCL_v4_multiple.json",
        [{"id": "multiple_0", "ground_truth": [{"f": {}}]}],
    )
    (record,) = bfcl._load(tmp_path, "multiple")
    assert (record.id, record.category, record.function_names) == ("multiple_0", "multiple", ("f",))
    assert record.ground_truth[0].name == "f"

    broken = tmp_path / "broken"
    _write(broken / "BFCL_v4_multiple.json", [question])
    _write(
        broken / "possible_answer" / "BFCL_v4_multiple.json", [{"id": "other", "ground_truth": []}]
    )
    with pytest.raises(EvalDataError, match="no possible answer"):
        bfcl._load(broken, "multiple")

    with pytest.raises(EvalDataError, match=r"not found.*pip install --no-deps"):
        bfcl._load(tmp_path / "empty", "multiple")

    garbled = tmp_path / "garbled"
    _write(garbled / "BFCL_v4_multiple.json", [{"id": "x", "question": "no turns", "function": []}])
    _write(garbled / "possible_answer" / "BFCL_v4_multiple.json", [{"id": "x", "ground_truth": []}])
    with pytest.raises(EvalDataError, match="unexpected layout"):
        bfcl._load(garbled, "multiple")
