"""S2 ``curate``: from recorded calls to clean, deduplicated, split training examples.

The paper's second step: keep the calls worth learning from (the LLM's good
answers to the agent's own requests), scrub them again, optionally replace
names and numbers with surrogates, count each request once, and split every
task into train (few-shot examples, fine-tuning) and eval (S4's replay). A
pure function over :class:`~hetero_agents.logs.records.CallRecord` objects: it
reads no database and writes none, so it runs on ``LogStore.calls()`` as well
as on records from anywhere else.

Example:
    ```python
    from hetero_agents.logs import LogStore
    from hetero_agents.pipeline.curate import curate

    result = curate(LogStore("logs.db").calls(), seed=7)
    print(len(result.examples), result.dropped)
    ```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from hetero_agents._extras import require
from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._curate_checks import HOW_TO_RECORD, check_options, nothing_kept
from hetero_agents.pipeline._filter import DROP_REASONS, CallFilter
from hetero_agents.pipeline._scrub import Scrubber
from hetero_agents.pipeline._split import assign_splits, group_of
from hetero_agents.pipeline.records import Example, Split

if TYPE_CHECKING:
    from hetero_agents.logs.records import CallRecord
    from hetero_agents.redaction import Redactor

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CurateResult:
    """What S2 produced, and what it dropped and why.

    Attributes:
        examples: The kept calls, in time order, each with its split.
        dropped: Reason -> number of calls (``error``, ``nested``, ``no_content``,
            ``not_llm``, ``empty``, ``truncated``, ``failed_validation``,
            ``duplicate``, ``near_duplicate``); only reasons that occurred.
        n_in: Calls read.
        alternates: Kept ``call_id`` -> the other recorded answers (scrubbed
            ``AIMessage`` dicts) to exactly the same request, in time order. They
            measure how often the LLM agrees with itself, S4's reference point.
        notes: Things the user should know (groups too small to evaluate, ...).
        rescrubbed: Kept or duplicate calls in which redaction found something
            that capture had left in (old logs, ``NoRedaction``, another tool).
    """

    examples: list[Example]
    dropped: dict[str, int]
    n_in: int
    alternates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rescrubbed: int = 0

    @property
    def train(self) -> list[Example]:
        """The train split."""
        return [example for example in self.examples if example.split == "train"]

    @property
    def eval(self) -> list[Example]:
        """The eval split."""
        return [example for example in self.examples if example.split == "eval"]


@dataclass(slots=True)
class _Candidate:
    record: CallRecord
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    response: dict[str, Any]
    key: str


def curate(
    calls: Iterable[CallRecord],
    *,
    redactor: Redactor | None = None,
    surrogates: bool = False,
    eval_fraction: float = 0.2,
    seed: int = 0,
    near_duplicate: float | None = 0.9,
    min_eval: int = 1,
    progress: bool = True,
) -> CurateResult:
    """Select, scrub, deduplicate and split recorded calls into training examples.

    Args:
        calls: Recorded calls, e.g. ``LogStore(...).calls()``. Pass nested calls
            too (the default query does): a wrapper's inner call is recognised and
            counted once (see :mod:`~hetero_agents.pipeline._filter`).
        redactor: Re-scrubs every kept call; use the one the logger used.
            Default: :class:`~hetero_agents.redaction.DefaultRedactor`.
        surrogates: Also replace names and numbers with consistent fakes
            (:mod:`~hetero_agents.pipeline.surrogates`; a heuristic, read its limits).
        eval_fraction: Share of each group that goes to eval, in ``[0, 1)``.
        seed: Makes the split (and the surrogates) reproducible.
        near_duplicate: Jaccard similarity from which a request of the same frame
            counts as a near duplicate of an earlier one (see
            :mod:`~hetero_agents.pipeline._dedupe`); ``None`` keeps near duplicates.
        min_eval: The fewest eval calls of a group that has two or more calls
            (one always stays in train).
        progress: Show a progress bar on stderr.

    Returns:
        The examples, the drop counts and the notes.

    Raises:
        PipelineError: No calls were given, or none is usable (the message gives
            the drop counts and what to do).
        ValueError: A parameter out of range.
        MissingExtraError: numpy (the ``pipeline`` extra) is missing.
    """
    check_options(eval_fraction, near_duplicate, min_eval)
    require("numpy", "pipeline")
    records = list(calls)
    if not records:
        raise PipelineError(f"there are no calls to curate. {HOW_TO_RECORD}")
    dropped: Counter[str] = Counter()
    candidates, rescrubbed = _select_and_scrub(records, redactor, dropped, progress)
    unique, alternates = _exact_dedupe(candidates, dropped)
    unique = _near_dedupe(unique, near_duplicate, dropped)
    if not unique:
        raise PipelineError(nothing_kept(len(records), dropped))
    return _build(
        unique,
        alternates,
        records=len(records),
        dropped=dropped,
        rescrubbed=rescrubbed,
        surrogates=surrogates,
        seed=seed,
        eval_fraction=eval_fraction,
        min_eval=min_eval,
    )


def _select_and_scrub(
    records: Sequence[CallRecord],
    redactor: Redactor | None,
    dropped: Counter[str],
    progress: bool,
) -> tuple[list[_Candidate], int]:
    from hetero_agents.pipeline._dedupe import canonical_json, request_key

    if redactor is None:
        from hetero_agents.redaction import DefaultRedactor

        redactor = DefaultRedactor()
    call_filter = CallFilter(records)
    scrubber = Scrubber(redactor)
    tool_sets: dict[str, list[dict[str, Any]]] = {}
    candidates: list[_Candidate] = []
    rescrubbed = 0
    ordered = sorted(records, key=lambda record: (record.datetime_utc, record.id))
    for record in _track(ordered, progress, "curating calls"):
        reason = call_filter.drop_reason(record)
        if reason is not None:
            dropped[reason] += 1
            continue
        if record.messages is None or record.response_message is None:  # for the type checker
            dropped["no_content"] += 1
            continue
        tools_key = canonical_json(record.tools) if record.tools else None
        messages, tools, response, changed = scrubber.scrub(
            record.messages, record.tools, record.response_message, tools_key
        )
        if tools is record.tools and tools is not None and tools_key is not None:
            tools = tool_sets.setdefault(tools_key, tools)  # one shared list per tool set
        rescrubbed += changed
        candidates.append(
            _Candidate(record, messages, tools, response, request_key(messages, tools))
        )
    return candidates, rescrubbed


def _exact_dedupe(
    candidates: list[_Candidate], dropped: Counter[str]
) -> tuple[list[_Candidate], dict[str, list[dict[str, Any]]]]:
    first: dict[str, _Candidate] = {}
    alternates: dict[str, list[dict[str, Any]]] = {}
    for candidate in candidates:
        kept = first.get(candidate.key)
        if kept is None:
            first[candidate.key] = candidate
            continue
        dropped["duplicate"] += 1
        alternates.setdefault(kept.record.id, []).append(candidate.response)
    return list(first.values()), alternates


def _near_dedupe(
    unique: list[_Candidate], threshold: float | None, dropped: Counter[str]
) -> list[_Candidate]:
    if threshold is None or len(unique) < 2:
        return unique
    from hetero_agents.pipeline._dedupe import frame_and_body, near_duplicates

    pairs = [frame_and_body(candidate.messages, candidate.tools) for candidate in unique]
    matches = near_duplicates([f for f, _ in pairs], [b for _, b in pairs], threshold)
    kept = [candidate for candidate, match in zip(unique, matches, strict=True) if match is None]
    if len(kept) < len(unique):
        dropped["near_duplicate"] += len(unique) - len(kept)
    return kept


def _build(
    unique: list[_Candidate],
    alternates: dict[str, list[dict[str, Any]]],
    *,
    records: int,
    dropped: Counter[str],
    rescrubbed: int,
    surrogates: bool,
    seed: int,
    eval_fraction: float,
    min_eval: int,
) -> CurateResult:
    from hetero_agents.pipeline.surrogates import Surrogates

    groups = {
        c.record.id: group_of(_task(c.record), c.record.node, _names(c.tools)) for c in unique
    }
    splits, notes = assign_splits(
        groups.items(), eval_fraction=eval_fraction, seed=seed, min_eval=min_eval
    )
    kept_alternates: dict[str, list[dict[str, Any]]] = {}
    examples: list[Example] = []
    for candidate in unique:
        record, messages, response = candidate.record, candidate.messages, candidate.response
        others = alternates.get(record.id, [])
        if surrogates:
            mapping = Surrogates(messages, candidate.tools, [response, *others], seed=seed)
            messages = [mapping.message(message) for message in messages]
            response = mapping.message(response)
            others = [mapping.message(other) for other in others]
        if others:
            kept_alternates[record.id] = others
        examples.append(
            _example(candidate, messages, response, splits[record.id], groups[record.id])
        )
    if rescrubbed:
        notes.append(
            f"{rescrubbed} call(s) held PII or secrets that capture had not redacted "
            "(old logs, NoRedaction, or another tool); they were redacted now"
        )
    ordered = {reason: dropped[reason] for reason in _REASON_ORDER if dropped[reason]}
    return CurateResult(examples, ordered, records, kept_alternates, notes, rescrubbed)


def _example(
    candidate: _Candidate,
    messages: list[dict[str, Any]],
    response: dict[str, Any],
    split: Split,
    group: str,
) -> Example:
    record = candidate.record
    return Example(
        call_id=record.id,
        text=_routing_text(messages, candidate.tools),
        messages=messages,
        tools=candidate.tools,
        response=response,
        split=split,
        group=group,
        task=_task(record),
        node=record.node,
        model=record.model,
        input_tokens=record.input_tokens,
        output_tokens=record.output_tokens,
        duration_ms=record.duration_ms,
        cost_usd=record.cost_usd,
        options=dict(record.options) if record.options else None,
    )


def _routing_text(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
    """:func:`routing_text` of a stored request, building only the two messages it reads."""
    from langchain_core.messages import messages_from_dict

    from hetero_agents.routing.text import routing_text

    system = next((m for m in messages if m.get("type") == "system"), None)
    human = next((m for m in reversed(messages) if m.get("type") == "human"), None)
    picked = [message for message in (system, human) if message is not None]
    return routing_text(messages_from_dict(picked), tools)


def _task(record: CallRecord) -> str | None:
    task = record.task or (record.route or {}).get("task")
    return task if isinstance(task, str) and task else None


def _names(tools: list[dict[str, Any]] | None) -> list[str]:
    names = []
    for tool in tools or ():
        function = tool.get("function", tool)
        name = function.get("name") if isinstance(function, dict) else None
        if isinstance(name, str) and name:
            names.append(name)
    return names


_REASON_ORDER = (*DROP_REASONS, "duplicate", "near_duplicate")


def _track(items: Sequence[T], progress: bool, description: str) -> Iterable[T]:
    if not progress:
        return items
    from rich.console import Console
    from rich.progress import track

    return track(items, description=description, console=Console(stderr=True), transient=True)


__all__ = ["CurateResult", "curate"]
