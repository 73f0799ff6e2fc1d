"""Replaying one recorded request on another model, the way the agent made it.

The request is rebuilt with everything that shaped the LLM's answer: the
messages, the bound tools with the recorded ``tool_choice`` and
``parallel_tool_calls``, and the structured-output ``response_format``. Each
model binds these its own native way (``bind_tools``, ``with_structured_output``),
so a grammar-constrained ``ChatLlamaCpp`` replays a forced tool call as a forced
tool call.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from hetero_agents.pipeline.scoring import AnswerScore, score_answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, BaseMessage
    from langchain_core.runnables import Runnable

    from hetero_agents.pipeline.records import Example
    from hetero_agents.routing.embedders import Embedder


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """One eval call, ready to replay and to score against.

    Attributes:
        call_id: The recorded call.
        messages: The request.
        tools: OpenAI-format tools bound to it, if any.
        options: Recorded call options (``tool_choice``, ``parallel_tool_calls``,
            ``response_format``); empty when the record has none.
        reference: The LLM's answer.
    """

    call_id: str
    messages: list[BaseMessage]
    tools: list[dict[str, Any]] | None
    options: Mapping[str, Any]
    reference: AIMessage

    @classmethod
    def from_example(cls, example: Example) -> ReplayRequest:
        """Build from a curated example (its messages are deserialised once, here)."""
        # ``options`` is read if the record carries it (the recorded call options).
        options = getattr(example, "options", None)
        return cls(
            call_id=example.call_id,
            messages=example.to_messages(),
            tools=example.tools or None,
            options=options if isinstance(options, Mapping) else {},
            reference=example.response_message(),
        )

    @property
    def schema(self) -> dict[str, Any] | None:
        """The structured-output JSON schema the request asked for, if any."""
        fmt = self.options.get("response_format")
        if not isinstance(fmt, Mapping):
            return None
        spec = fmt.get("json_schema")
        if isinstance(spec, Mapping) and isinstance(spec.get("schema"), Mapping):
            return dict(spec["schema"])
        schema = fmt.get("schema")
        return dict(schema) if isinstance(schema, Mapping) else None

    def runnable(self, model: BaseChatModel) -> Runnable[Any, AIMessage]:
        """``model`` bound the way the recorded call was bound.

        A request with tools is replayed through ``bind_tools`` (structured output
        by function calling is such a request); one without tools but with a
        ``response_format`` through ``with_structured_output``, keeping the raw
        message so the scorer sees exactly what the model wrote.
        """
        from langchain_core.runnables import RunnableLambda

        if self.tools:
            extra: dict[str, Any] = {}
            if self.options.get("parallel_tool_calls") is not None:
                extra["parallel_tool_calls"] = self.options["parallel_tool_calls"]
            return model.bind_tools(
                self.tools, tool_choice=self.options.get("tool_choice"), **extra
            )
        fmt = self.options.get("response_format")
        if not isinstance(fmt, Mapping):
            return model
        schema = self.schema
        try:
            if fmt.get("type") == "json_schema" and schema is not None:
                titled = {"title": _format_name(fmt), **schema}
                structured = model.with_structured_output(
                    titled, method="json_schema", include_raw=True
                )
            else:
                # json_mode takes no schema (``None``), which the base annotation omits.
                structured = model.with_structured_output(
                    cast("dict[str, Any]", schema), method="json_mode", include_raw=True
                )
        except (NotImplementedError, TypeError, ValueError):
            # The model cannot constrain JSON: it answers unconstrained, and the
            # scorer judges whatever text comes back.
            return model
        return structured | RunnableLambda(_raw_answer, name="raw_answer")


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """One replayed call: the verdict, or the error that replaced it."""

    call_id: str
    latency_ms: float
    score: AnswerScore | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary for :attr:`CandidateScore.details`."""
        out: dict[str, Any] = {"call_id": self.call_id, "latency_ms": round(self.latency_ms, 1)}
        if self.error is not None:
            out["error"] = self.error
        if self.score is not None:
            out |= {"correct": self.score.correct, "valid": self.score.valid}
            if self.score.similarity is not None:
                out["similarity"] = round(self.score.similarity, 4)
            if self.score.detail:
                out["detail"] = self.score.detail
        return out


def replay(
    request: ReplayRequest,
    model: BaseChatModel,
    *,
    embedder: Embedder | None,
    judge: BaseChatModel | None,
    text_threshold: float,
) -> CallOutcome:
    """Replay ``request`` on ``model`` and score the answer; an error is an outcome too."""
    start = time.perf_counter()
    try:
        answer = request.runnable(model).invoke(request.messages)
    except Exception as exc:
        elapsed = (time.perf_counter() - start) * 1000
        return CallOutcome(request.call_id, elapsed, error=f"{type(exc).__name__}: {exc}")
    elapsed = (time.perf_counter() - start) * 1000
    score = score_answer(
        request.reference,
        answer,
        tools=request.tools,
        schema=request.schema,
        embedder=embedder,
        judge=judge,
        request=request.messages,
        text_threshold=text_threshold,
    )
    return CallOutcome(request.call_id, elapsed, score=score)


def _raw_answer(output: Any) -> AIMessage:
    """The model's own message out of an ``include_raw=True`` structured-output result."""
    raw: AIMessage = output["raw"]
    return raw


def _format_name(fmt: Mapping[str, Any]) -> str:
    spec = fmt.get("json_schema")
    name = spec.get("name") if isinstance(spec, Mapping) else None
    return name if isinstance(name, str) and name else "output"


def requests_for(examples: Sequence[Example]) -> list[ReplayRequest]:
    """Replay requests for ``examples``, in order."""
    return [ReplayRequest.from_example(example) for example in examples]
