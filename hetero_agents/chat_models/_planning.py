"""From one call's keyword arguments to a :class:`GenerationPlan`.

All validation of what a caller passed (tool choice, response format, unknown
keywords) happens here, before the model's lock is taken or a token is spent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

from hetero_agents.chat_models._grammar import (
    json_object_grammar,
    json_schema_grammar,
    tool_calls_grammar,
)
from hetero_agents.chat_models._plan import GenerationPlan, SamplingParams
from hetero_agents.chat_models._structured import schema_instructions
from hetero_agents.chat_models._tool_choice import normalize_tool_choice

#: Per-call overrides of the model's own settings.
SAMPLING_KEYS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "min_p",
    "seed",
    "repeat_penalty",
    "dry_multiplier",
)
_OTHER_KEYS = ("tools", "tool_choice", "parallel_tool_calls", "response_format", "stream", "model")
ACCEPTED_KEYS = frozenset((*SAMPLING_KEYS, *_OTHER_KEYS))

#: DRY strength under a grammar when the caller did not choose one (see SamplingParams).
CONSTRAINED_DRY_MULTIPLIER = 0.8


@dataclass(frozen=True, slots=True)
class PreparedCall:
    """A validated call: the plan, the tools to show, and extra system instructions."""

    plan: GenerationPlan
    tools: list[dict[str, Any]] | None
    instructions: str | None


def _openai_tools(tools: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        t if isinstance(t, dict) and t.get("type") == "function" else convert_to_openai_tool(t)
        for t in tools
    ]


def _response_format(spec: Mapping[str, Any]) -> tuple[str, str | None]:
    """Grammar and instructions for an OpenAI-style ``response_format``."""
    kind = spec.get("type")
    if kind == "json_object":
        schema = spec.get("schema")
        grammar = json_schema_grammar(json.dumps(schema)) if schema else json_object_grammar()
        return grammar, schema_instructions(None)
    if kind == "json_schema":
        schema = spec.get("json_schema", {}).get("schema")
        if isinstance(schema, dict):
            return json_schema_grammar(json.dumps(schema)), schema_instructions(schema)
    raise ValueError(
        "response_format must be {'type': 'json_object'} or "
        f"{{'type': 'json_schema', 'json_schema': {{'schema': {{...}}}}}}, not {spec!r}"
    )


def prepare_call(
    defaults: Mapping[str, Any],
    stop: Sequence[str] | None,
    kwargs: Mapping[str, Any],
    model_name: str,
) -> PreparedCall:
    """Validate one call's arguments and plan its generation.

    Args:
        defaults: The model's settings, keyed like :data:`SAMPLING_KEYS` plus ``stop``.
        stop: Stop sequences passed to this call (added to the model's own).
        kwargs: Other per-call arguments (bound tools, overrides, ...).
        model_name: The model's name, to reject ``model=`` overrides it cannot honour.

    Raises:
        TypeError: An argument this model does not understand.
        ValueError: A bad ``tool_choice``, ``response_format`` or ``model``, or both
            tools and a response format at once.
    """
    unknown = sorted(set(kwargs) - ACCEPTED_KEYS)
    if unknown:
        raise TypeError(
            f"ChatLlamaCpp got unexpected call arguments {unknown}; "
            f"accepted: {', '.join(sorted(ACCEPTED_KEYS))}"
        )
    requested_model = kwargs.get("model")
    if requested_model is not None and requested_model != model_name:
        raise ValueError(
            f"this ChatLlamaCpp runs {model_name!r} and cannot switch to {requested_model!r} "
            "per call; load that model with hetero_agents.load_model() instead"
        )
    settings = {key: kwargs.get(key, defaults[key]) for key in SAMPLING_KEYS}
    dry = settings["dry_multiplier"]
    sampling = SamplingParams(
        temperature=settings["temperature"],
        top_k=settings["top_k"],
        top_p=settings["top_p"],
        min_p=settings["min_p"],
        repeat_penalty=settings["repeat_penalty"],
        dry_multiplier=dry or 0.0,
        seed=settings["seed"],
    )
    constrained = replace(
        sampling, dry_multiplier=CONSTRAINED_DRY_MULTIPLIER if dry is None else dry
    )
    stops = tuple(dict.fromkeys([*(defaults.get("stop") or []), *(stop or [])]))
    common: dict[str, Any] = {
        "max_new_tokens": settings["max_tokens"],
        "sampling": sampling,
        "constrained_sampling": constrained,
        "stop": stops,
    }
    tools = _openai_tools(kwargs.get("tools") or [])
    response_format = kwargs.get("response_format")
    if response_format is not None:
        if tools:
            raise ValueError("pass tools or a response_format, not both")
        grammar, instructions = _response_format(response_format)
        return PreparedCall(
            GenerationPlan(**common, output="json", json_grammar=grammar), None, instructions
        )
    if not tools:
        return PreparedCall(GenerationPlan(**common), None, None)
    names = [t["function"]["name"] for t in tools]
    mode = normalize_tool_choice(kwargs.get("tool_choice"), names)
    if mode.kind == "none":
        return PreparedCall(GenerationPlan(**common), None, None)
    tools_json = json.dumps(tools)
    allowed = mode.allowed_tools(names)
    parallel = kwargs.get("parallel_tool_calls") is True
    plan = GenerationPlan(
        **common,
        output="tools",
        tool_mode=mode,
        tagged_grammar=tool_calls_grammar(
            tools_json, allowed, form="after_open_tag", parallel=parallel
        ),
        bare_grammar=(
            tool_calls_grammar(tools_json, allowed, form="bare", parallel=False)
            if mode.kind == "auto"
            else None
        ),
    )
    return PreparedCall(plan, tools, None)
