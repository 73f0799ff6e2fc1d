"""Recorded calls as OpenTelemetry GenAI spans, for teams that already run a trace store.

Each call becomes a ``chat {model}`` CLIENT span with the ``gen_ai.*`` attributes
of the OpenTelemetry GenAI semantic conventions (operation, provider, request and
response model, finish reasons, token usage, conversation id); each tool run an
``execute_tool {name}`` span under the call that asked for it, and a router's tier
calls sit under the router's call. Our own fields (node, tier, route, cost) use
the ``hetero_agents.*`` namespace. Message content is opt-in, as the conventions
ask (``gen_ai.input.messages`` / ``gen_ai.output.messages`` as JSON text).

Spans are built with the SDK's tracer (correct ids, times and status) and
handed to the exporter in batches directly: no background processor thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from hetero_agents._extras import require
from hetero_agents.logs.records import CallRecord, ToolRecord

_BATCH = 512
_ROLES = {"human": "user", "ai": "assistant", "AIMessageChunk": "assistant", "tool": "tool"}


def export_otel_spans(
    records: Iterable[CallRecord], exporter: Any, *, include_content: bool = False
) -> int:
    """Export ``records`` (with their tool runs) through an OpenTelemetry ``SpanExporter``.

    Returns:
        The number of spans exported.

    Raises:
        MissingExtraError: The ``otel`` extra is not installed.
    """
    total = 0
    for batch in _span_batches(records, include_content):
        exporter.export(batch)
        total += len(batch)
    return total


def write_otel_jsonl(
    records: Iterable[CallRecord], fp: IO[str], *, include_content: bool = False
) -> int:
    """Write the spans as one OpenTelemetry JSON object per line (for ``logs export``)."""
    total = 0
    for batch in _span_batches(records, include_content):
        for span in batch:
            fp.write(span.to_json(indent=None) + "\n")
        total += len(batch)
    return total


def _span_batches(records: Iterable[CallRecord], include_content: bool) -> Iterator[list[Any]]:
    trace = require("opentelemetry.trace", "otel")
    sdk = require("opentelemetry.sdk.trace", "otel")
    resources = require("opentelemetry.sdk.resources", "otel")

    finished: list[Any] = []

    class _Collect(sdk.SpanProcessor):  # type: ignore[misc,name-defined]
        def on_end(self, span: Any) -> None:
            finished.append(span)

    provider = sdk.TracerProvider(
        resource=resources.Resource.create({"service.name": "hetero-agents"})
    )
    provider.add_span_processor(_Collect())
    tracer = provider.get_tracer("hetero_agents.logs")
    parents: dict[str, Any] = {}  # call id -> span context, for calls with inner calls
    for record in records:
        parent = parents.get(record.parent_call_id or "")
        context = trace.set_span_in_context(trace.NonRecordingSpan(parent)) if parent else None
        span = _call_span(tracer, trace, record, context, include_content)
        if record.n_children:
            parents[record.id] = span.get_span_context()
        for run in record.tool_runs:
            _tool_span(tracer, trace, run, trace.set_span_in_context(span), include_content)
        if len(finished) >= _BATCH:
            yield finished[:]
            finished.clear()
    if finished:
        yield finished[:]


def _call_span(
    tracer: Any, trace: Any, record: CallRecord, context: Any, include_content: bool
) -> Any:
    start = _nanos(record)
    model = record.model or "unknown"
    response = record.response_message or {}
    response_data = response.get("data", {})
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        "gen_ai.usage.input_tokens": record.input_tokens,
        "gen_ai.usage.output_tokens": record.output_tokens,
        "gen_ai.conversation.id": record.thread_id,
        "gen_ai.provider.name": record.provider,
        "gen_ai.response.id": response_data.get("id"),
        "gen_ai.response.model": (response_data.get("response_metadata") or {}).get("model_name"),
        "gen_ai.response.finish_reasons": [record.finish_reason] if record.finish_reason else None,
        "gen_ai.request.temperature": (record.options or {}).get("temperature"),
        "gen_ai.request.max_tokens": (record.options or {}).get("max_tokens"),
        "error.type": record.error_type,
        "hetero_agents.call.id": record.id,
        "hetero_agents.node": record.node,
        "hetero_agents.step": record.step,
        "hetero_agents.task": record.task,
        "hetero_agents.tier": record.tier,
        "hetero_agents.cost_usd": record.cost_usd,
        "hetero_agents.route.policy": (record.route or {}).get("policy"),
        "hetero_agents.route.reason": (record.route or {}).get("reason"),
        "hetero_agents.route.score": (record.route or {}).get("score"),
        "hetero_agents.route.escalated": (record.route or {}).get("escalated"),
    }
    if include_content and record.messages is not None:
        attributes["gen_ai.input.messages"] = json.dumps(
            [_genai_message(m) for m in record.messages], ensure_ascii=False
        )
        if response:
            output = _genai_message(response)
            output["finish_reason"] = record.finish_reason or "stop"
            attributes["gen_ai.output.messages"] = json.dumps([output], ensure_ascii=False)
        if record.tools:
            attributes["gen_ai.tool.definitions"] = json.dumps(record.tools, ensure_ascii=False)
    span = tracer.start_span(
        f"chat {model}",
        context=context,
        kind=trace.SpanKind.CLIENT,
        attributes=_clean(attributes),
        start_time=start,
    )
    if record.status != "ok":
        span.set_status(trace.Status(trace.StatusCode.ERROR, record.error or record.error_type))
    span.end(end_time=start + int((record.duration_ms or 0) * 1e6))
    return span


def _tool_span(
    tracer: Any, trace: Any, run: ToolRecord, context: Any, include_content: bool
) -> None:
    start = int(run.datetime_utc.timestamp() * 1e9)
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": run.name,
        "gen_ai.tool.call.id": run.tool_call_id,
        "gen_ai.tool.type": "function",
        "error.type": run.error_type,
        "hetero_agents.tool_run.id": run.id,
        "hetero_agents.node": run.node,
    }
    if include_content:
        attributes["gen_ai.tool.call.arguments"] = _text(run.input)
        attributes["gen_ai.tool.call.result"] = run.output
    span = tracer.start_span(
        f"execute_tool {run.name}",
        context=context,
        kind=trace.SpanKind.INTERNAL,
        attributes=_clean(attributes),
        start_time=start,
    )
    if run.status != "ok":
        span.set_status(trace.Status(trace.StatusCode.ERROR, run.error or run.error_type))
    span.end(end_time=start + int((run.duration_ms or 0) * 1e6))


def _genai_message(message: dict[str, Any]) -> dict[str, Any]:
    """A stored LangChain message dict in the GenAI ``{"role", "parts"}`` shape."""
    data = message.get("data", {})
    parts: list[dict[str, Any]] = []
    content = data.get("content")
    if message.get("type") == "tool":
        parts.append(
            {"type": "tool_call_response", "id": data.get("tool_call_id"), "response": content}
        )
    elif isinstance(content, str):
        if content:
            parts.append({"type": "text", "content": content})
    else:
        for block in content or ():
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                parts.append({"type": "text", "content": block["text"]})
    for call in data.get("tool_calls") or ():
        parts.append(
            {
                "type": "tool_call",
                "id": call.get("id"),
                "name": call.get("name"),
                "arguments": call.get("args"),
            }
        )
    return {"role": _ROLES.get(str(message.get("type")), str(message.get("type"))), "parts": parts}


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    """OpenTelemetry attributes cannot be ``None``: leave unknown ones out."""
    return {key: value for key, value in attributes.items() if value is not None}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _nanos(record: CallRecord) -> int:
    return int(record.datetime_utc.timestamp() * 1e9)
