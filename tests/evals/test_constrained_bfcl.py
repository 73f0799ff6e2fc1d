"""On real BFCL schemas, grammar-constrained calls are always schema-valid (tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hetero_agents.evals import ToolCallValidator, load_questions

# Chosen for their schema features: a list of objects, nested objects, several tools
# with dotted names and a "date" format, an integer maximum.
FEATURED = ("simple_python_96", "simple_python_260", "multiple_5", "multiple_113")


@pytest.mark.model
@pytest.mark.slow
def test_constrained_calls_on_bfcl_schemas_are_valid(smollm2_path: Path) -> None:
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

    questions = {q.id: q for q in (*load_questions("simple"), *load_questions("multiple"))}
    chat = ChatLlamaCpp(model_path=str(smollm2_path), n_threads=1, n_ctx=4096, max_tokens=384)
    for qid in FEATURED:
        q = questions[qid]
        message = chat.bind_tools(list(q.tools), tool_choice="any").invoke(list(q.messages))
        calls = [{"name": c["name"], "args": c["args"]} for c in message.tool_calls]
        assert message.invalid_tool_calls == [], qid
        validator = ToolCallValidator(q.tools)
        assert calls, qid
        assert [validator.problem(c) for c in calls] == [None] * len(calls), (qid, calls)
