"""S4's decision rules: how good is good enough, and which passing candidate is cheapest.

Pure functions over scores, kept apart from the replay so the rules can be read
(and tested) on their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline.records import CandidateScore, Selection

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage

    from hetero_agents.pipeline._replay import ReplayRequest
    from hetero_agents.pipeline.records import Tier
    from hetero_agents.routing.embedders import Embedder

MIN_ALTERNATE_PAIRS = 3
"""Alternate LLM answers needed in a cluster before its self-agreement is trusted."""

MODE_RANK = {"zero-shot": 0, "few-shot": 1, "lora": 2}
"""At equal model, the simpler mode wins: no shots beats shots beats an adapter."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """The accuracy a cluster's candidates must reach, and where it came from."""

    required: float
    reason: str


def requirement(
    requests: Sequence[ReplayRequest],
    alternates: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    threshold: float,
    min_agreement: float,
    embedder: Embedder | None,
    judge: BaseChatModel | None,
    text_threshold: float,
) -> Requirement:
    """``threshold x`` the LLM's agreement with itself, when measurable; else ``min_agreement``.

    The LLM's self-agreement is scored with the same metric as the candidates:
    each alternate answer to a request is scored against the recorded one. A
    task where even the LLM disagrees with itself half the time cannot demand
    more of a small model than that.
    """
    from hetero_agents.pipeline.scoring import score_answer

    pairs = agreed = 0
    for request in requests:
        for raw in alternates.get(request.call_id, ()):
            score = score_answer(
                request.reference,
                _as_ai_message(raw, request.call_id),
                tools=request.tools,
                schema=request.schema,
                embedder=embedder,
                judge=judge,
                request=request.messages,
                text_threshold=text_threshold,
            )
            pairs += 1
            agreed += score.correct
    if pairs >= MIN_ALTERNATE_PAIRS:
        agreement = agreed / pairs
        required = threshold * agreement
        return Requirement(
            required,
            f"required {required:.2f} = {threshold:.2f} x the LLM's self-agreement "
            f"{agreement:.2f} over {pairs} alternate answers",
        )
    return Requirement(
        min_agreement,
        f"required {min_agreement:.2f} (min_agreement: {pairs} alternate answer(s), "
        f"{MIN_ALTERNATE_PAIRS} needed to measure the LLM's self-agreement)",
    )


def passes(score: CandidateScore, required: float) -> bool:
    """Whether a candidate qualifies: it answered, and often enough right.

    A zero accuracy never passes, even where the requirement measured zero.
    """
    answered = score.n > 0 and score.errors < score.n
    return answered and score.accuracy > 0 and score.accuracy >= required


def cheapest(scores: Sequence[CandidateScore], required: float) -> CandidateScore | None:
    """The passing candidate with the smallest footprint, then the lowest latency.

    Each model is represented by its simplest passing mode (zero-shot before
    few-shot before LoRA), so a noisy latency cannot make few-shot win over an
    equally good zero-shot of the same model.
    """
    simplest: dict[str, CandidateScore] = {}
    for score in sorted(scores, key=lambda s: MODE_RANK[s.mode]):
        if passes(score, required):
            simplest.setdefault(score.candidate, score)
    return min(
        simplest.values(),
        key=lambda s: (s.footprint_mb, s.latency_ms, s.candidate),
        default=None,
    )


def decide(
    cluster_id: int,
    scores: Sequence[CandidateScore],
    requirement: Requirement,
    *,
    n_eval: int,
    previous: Tier | None,
) -> Selection:
    """The selection for one cluster, with its reason in words."""
    required = requirement.required
    if n_eval == 0:
        return Selection(
            cluster_id,
            "llm",
            "no eval examples to replay: the LLM keeps this cluster",
            required,
            previous_tier=previous,
        )
    chosen = cheapest(scores, required)
    n_passing = len({s.candidate for s in scores if passes(s, required)})
    if chosen is not None:
        label = f"{chosen.candidate} {chosen.mode}"
        return Selection(
            cluster_id,
            "slm",
            f"{label}: accuracy {chosen.accuracy:.2f} >= {requirement.reason}; "
            f"cheapest of {n_passing} passing model(s)",
            required,
            model=chosen.candidate,
            mode=chosen.mode,
            lora=chosen.lora,
            score=chosen.accuracy,
            previous_tier=previous,
        )
    best = max(scores, key=lambda s: (s.accuracy, -MODE_RANK[s.mode]), default=None)
    if best is None:
        reason = "no candidate could be replayed: the LLM keeps this cluster"
    else:
        reason = (
            f"no candidate passed, {requirement.reason}; best was {best.candidate} "
            f"{best.mode} at {best.accuracy:.2f}: the LLM keeps this cluster"
        )
    return Selection(
        cluster_id,
        "llm",
        reason,
        required,
        score=None if best is None else best.accuracy,
        previous_tier=previous,
    )


def _as_ai_message(raw: Mapping[str, Any], call_id: str) -> AIMessage:
    """An alternate answer: LangChain's lossless dict, or plain ``AIMessage`` fields.

    Raises:
        PipelineError: ``raw`` is neither.
    """
    from langchain_core.messages import AIMessage, messages_from_dict

    try:
        if "type" in raw and "data" in raw:
            message = messages_from_dict([dict(raw)])[0]
        else:
            message = AIMessage(**{k: v for k, v in raw.items() if k != "type"})
    except (KeyError, TypeError, ValueError) as exc:
        raise PipelineError(
            f"alternate answer for call {call_id} is not an AI message dict ({exc}); pass "
            "messages_to_dict([AIMessage(...)])[0] or {'content': ..., 'tool_calls': [...]}"
        ) from exc
    if not isinstance(message, AIMessage):
        raise PipelineError(
            f"alternate answer for call {call_id} is a {message.type!r} message, not an AI answer"
        )
    return message
