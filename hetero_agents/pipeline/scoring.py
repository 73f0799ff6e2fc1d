"""Does a candidate's answer do what the LLM's recorded answer did? One verdict per call.

S4 replays a cluster's eval calls on a small model and needs, for each call, a
yes/no that is as strict as the answer's kind allows:

- ``"tool_call"``: the LLM called tools. The candidate must make the same calls
  (same tool names, arguments equal after schema normalisation, in any order);
  this is BFCL's AST check with the LLM's call taken as the ground truth
  (:func:`~hetero_agents.evals.calls_match`). Well-formed means every call names a
  bound tool and its arguments validate against the tool's schema.
- ``"json"``: the request asked for structured output (or the LLM answered with a
  JSON object or array). The answer must parse, fit the schema if there is one,
  and equal the LLM's JSON value (BFCL's string leniency, ``5 == 5.0``).
- ``"text"``: free text. Exact agreement is too strict for prose, so the two
  answers are embedded and compared by cosine similarity against
  :data:`DEFAULT_TEXT_THRESHOLD`; an optional LLM judge replaces the threshold
  with a structured yes/no when one is given.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hetero_agents.evals import ToolCallValidator, calls_match
from hetero_agents.evals._compare import values_equal
from hetero_agents.pipeline._judge import judge_agrees

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage

    from hetero_agents.routing.embedders import Embedder

Metric = Literal["tool_call", "json", "text"]

DEFAULT_TEXT_THRESHOLD = 0.8
"""Cosine similarity at which two texts count as the same answer.

With all-MiniLM-L6-v2, paraphrases of one short answer score about 0.8-0.95
and different answers to the same question rarely above 0.7, so 0.8 accepts a
reworded answer and rejects a different one.
"""


@dataclass(frozen=True, slots=True)
class AnswerScore:
    """The verdict on one replayed call.

    Attributes:
        metric: What was compared: ``"tool_call"``, ``"json"`` or ``"text"``.
        correct: Whether the answer agrees with the LLM's.
        valid: Whether the answer is well-formed for its kind (valid tool calls,
            parseable schema-conforming JSON, non-empty text).
        similarity: Cosine similarity of the two texts (``"text"`` only).
        detail: Why it is not correct (or how the judge decided), in words.
    """

    metric: Metric
    correct: bool
    valid: bool
    similarity: float | None = None
    detail: str = ""


def metric_for(reference: AIMessage, schema: Mapping[str, Any] | None = None) -> Metric:
    """Which comparison fits the LLM's answer (see the module docstring)."""
    if reference.tool_calls:
        return "tool_call"
    if schema is not None or isinstance(parse_json(reference.text), dict | list):
        return "json"
    return "text"


def score_answer(
    reference: AIMessage,
    answer: AIMessage,
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    schema: Mapping[str, Any] | None = None,
    embedder: Embedder | None = None,
    judge: BaseChatModel | None = None,
    request: Sequence[BaseMessage] | None = None,
    text_threshold: float = DEFAULT_TEXT_THRESHOLD,
) -> AnswerScore:
    """Score ``answer`` against the LLM's ``reference`` answer to the same request.

    Args:
        reference: The LLM's recorded answer (taken as right).
        answer: The candidate's answer.
        tools: The OpenAI-format tools bound to the request (for argument
            normalisation and validity).
        schema: The structured-output JSON schema of the request, if it had one.
        embedder: Embeds texts for the ``"text"`` metric; the bundled
            all-MiniLM-L6-v2 when ``None`` (loaded once, on first need).
        judge: A chat model asked, with structured output, whether two texts
            give the same answer; replaces the similarity threshold for text.
        request: The request messages, shown to the judge for context.
        text_threshold: Similarity at which texts agree (without a judge).
    """
    metric = metric_for(reference, schema)
    if metric == "tool_call":
        return _score_tool_calls(reference, answer, tools or ())
    if metric == "json":
        return _score_json(reference, answer, schema)
    return _score_text(
        reference,
        answer,
        embedder=embedder,
        judge=judge,
        request=request,
        threshold=text_threshold,
    )


# --- tool calls ---------------------------------------------------------------------------


def _score_tool_calls(
    reference: AIMessage, answer: AIMessage, tools: Sequence[Mapping[str, Any]]
) -> AnswerScore:
    valid, problem = _tool_calls_valid(answer, tools)
    expected, got = reference.tool_calls, list(answer.tool_calls)
    if len(got) != len(expected):
        names = [c["name"] for c in got] or "no call"
        detail = f"expected {len(expected)} call(s) to {[c['name'] for c in expected]}, got {names}"
        return AnswerScore("tool_call", correct=False, valid=valid, detail=problem or detail)
    parameters = _parameters_by_name(tools)
    for ref in expected:
        # Calls may come in any order: take the first unmatched one that matches.
        failure = ""
        for index, call in enumerate(got):
            result = calls_match(call, ref, parameters.get(ref["name"]))
            if result.ok:
                del got[index]
                break
            failure = failure or result.detail
        else:
            return AnswerScore("tool_call", correct=False, valid=valid, detail=failure)
    return AnswerScore("tool_call", correct=True, valid=valid, detail=problem)


def _tool_calls_valid(answer: AIMessage, tools: Sequence[Mapping[str, Any]]) -> tuple[bool, str]:
    if answer.invalid_tool_calls:
        bad = answer.invalid_tool_calls[0]
        return False, f"malformed tool call {bad.get('name')!r}: {bad.get('error')}"
    if not answer.tool_calls:
        return False, "answered in text instead of calling a tool"
    if not tools:
        return True, ""
    validator = _validator(_canonical(tools))
    for call in answer.tool_calls:
        problem = validator.problem(call)
        if problem is not None:
            return False, f"invalid call of {call['name']!r}: {problem}"
    return True, ""


@functools.lru_cache(maxsize=64)
def _validator(tools_json: str) -> ToolCallValidator:
    """Schema validators compiled once per distinct tool list (a cluster shares one)."""
    return ToolCallValidator(json.loads(tools_json))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _parameters_by_name(tools: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for tool in tools:
        function = tool.get("function", tool)
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            out[function["name"]] = function.get("parameters") or {}
    return out


# --- JSON ---------------------------------------------------------------------------------

_NOT_JSON = object()


def parse_json(text: str) -> Any:
    """``text`` as JSON (a Markdown code fence around it is allowed), else a sentinel.

    Returns the parsed value, or an object that is neither a dict nor a list
    (and equal to nothing) when the text is not JSON.
    """
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.strip("`").removeprefix("json").strip()
    if not stripped:
        return _NOT_JSON
    try:
        return json.loads(stripped)
    except ValueError:
        return _NOT_JSON


def _score_json(
    reference: AIMessage, answer: AIMessage, schema: Mapping[str, Any] | None
) -> AnswerScore:
    value = parse_json(answer.text)
    if value is _NOT_JSON:
        return AnswerScore("json", correct=False, valid=False, detail="the answer is not JSON")
    if schema is not None:
        problem = _schema_problem(_canonical(schema), value)
        if problem is not None:
            return AnswerScore("json", correct=False, valid=False, detail=problem)
    expected = parse_json(reference.text)
    if expected is _NOT_JSON:
        return AnswerScore("json", correct=False, valid=True, detail="the LLM's answer is not JSON")
    if values_equal(value, expected):
        return AnswerScore("json", correct=True, valid=True)
    return AnswerScore("json", correct=False, valid=True, detail="the JSON differs from the LLM's")


def _schema_problem(schema_json: str, value: Any) -> str | None:
    validator = _json_validator(schema_json)
    error = _best_match(validator.iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"does not fit the schema at {where}: {error.message}"


@functools.lru_cache(maxsize=64)
def _json_validator(schema_json: str) -> Any:
    import jsonschema

    schema = json.loads(schema_json)
    return jsonschema.validators.validator_for(schema)(schema)


def _best_match(errors: Any) -> Any:
    import jsonschema

    return jsonschema.exceptions.best_match(errors)


# --- text ---------------------------------------------------------------------------------


def _score_text(
    reference: AIMessage,
    answer: AIMessage,
    *,
    embedder: Embedder | None,
    judge: BaseChatModel | None,
    request: Sequence[BaseMessage] | None,
    threshold: float,
) -> AnswerScore:
    valid = not answer.invalid_tool_calls and bool(answer.text.strip() or answer.tool_calls)
    if answer.tool_calls:
        detail = f"called {answer.tool_calls[0]['name']!r} where the LLM answered in text"
        return AnswerScore("text", correct=False, valid=valid, detail=detail)
    if not answer.text.strip():
        return AnswerScore("text", correct=False, valid=False, detail="empty answer")
    similarity = text_similarity(reference.text, answer.text, embedder)
    if judge is not None:
        verdict = judge_agrees(judge, reference.text, answer.text, request)
        if verdict is not None:
            agreed, reason = verdict
            return AnswerScore("text", agreed, valid, similarity, f"judge: {reason}")
    correct = similarity >= threshold
    detail = "" if correct else f"similarity {similarity:.2f} < {threshold:.2f}"
    return AnswerScore("text", correct, valid, similarity, detail)


def text_similarity(left: str, right: str, embedder: Embedder | None = None) -> float:
    """Cosine similarity of two texts' embeddings (1.0 for identical texts, no embedding)."""
    if " ".join(left.split()) == " ".join(right.split()):
        return 1.0
    vectors = (embedder or default_embedder()).embed([left, right])
    return float(max(-1.0, min(1.0, float(vectors[0] @ vectors[1]))))


@functools.lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once per process (extra ``pipeline``)."""
    from hetero_agents.routing.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


__all__ = [
    "DEFAULT_TEXT_THRESHOLD",
    "AnswerScore",
    "Metric",
    "default_embedder",
    "metric_for",
    "parse_json",
    "score_answer",
    "text_similarity",
]
