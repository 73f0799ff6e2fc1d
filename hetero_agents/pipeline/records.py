"""What the conversion pipeline's stages hand each other: plain, typed, immutable records.

Each stage (S2 curate, S3 cluster, S4 select, S5 specialise, S6 route) is a
function from these records to these records, so a stage can be run, tested
and replaced on its own; :class:`~hetero_agents.pipeline.store.PipelineStore`
persists every one of them in the log database so a later run builds on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.messages import AIMessage, BaseMessage
    from numpy.typing import NDArray

Split = Literal["train", "eval"]
Tier = Literal["slm", "llm"]
Mode = Literal["zero-shot", "few-shot", "lora"]
MODES: tuple[Mode, ...] = ("zero-shot", "few-shot", "lora")


@dataclass(frozen=True, slots=True)
class Example:
    """One curated call: a request the LLM answered well, scrubbed, with its split.

    Attributes:
        call_id: The ``calls`` row it came from.
        text: :func:`~hetero_agents.routing.text.routing_text` of the request, the
            exact string S3 embeds and the live router embeds.
        messages: The request, LangChain's lossless message dicts (re-redacted).
        tools: The OpenAI-format tools bound to the call, if any.
        response: The LLM's answer, a lossless ``AIMessage`` dict (re-redacted).
        split: ``"train"`` (few-shot examples, fine-tuning) or ``"eval"`` (S4 replay).
        group: The stratification key the split was made on (known task, else node,
            else bound tool names).
        task / node / model: As recorded at capture.
        input_tokens / output_tokens / duration_ms / cost_usd: The LLM call's usage.
        options: The call's recorded options (``tool_choice``, ``response_format``, ...),
            so a replay asks the candidate exactly what the LLM was asked.
        alternates: Other recorded LLM answers to exactly the same request (dropped
            as duplicates by S2); they measure the LLM's agreement with itself.
    """

    call_id: str
    text: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None
    response: dict[str, Any]
    split: Split
    group: str
    task: str | None = None
    node: str | None = None
    model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    duration_ms: float | None = None
    cost_usd: float | None = None
    options: dict[str, Any] | None = None
    alternates: list[dict[str, Any]] = field(default_factory=list)

    def to_messages(self) -> list[BaseMessage]:
        """The request as LangChain messages, ready to replay on another model."""
        from langchain_core.messages import messages_from_dict

        return messages_from_dict(self.messages)

    def response_message(self) -> AIMessage:
        """The LLM's answer as an ``AIMessage`` (the reference S4 scores against)."""
        from langchain_core.messages import AIMessage, messages_from_dict

        message = messages_from_dict([self.response])[0]
        if not isinstance(message, AIMessage):
            raise TypeError(f"call {self.call_id}: the recorded response is not an AI message")
        return message

    @property
    def tool_names(self) -> tuple[str, ...]:
        """Names of the tools bound to the request, sorted."""
        names = (_function_name(tool) for tool in self.tools or ())
        return tuple(sorted(name for name in names if name))


@dataclass(frozen=True, slots=True)
class Cluster:
    """One task the pipeline found: a group of similar calls, and how to recognise it.

    Attributes:
        id: Stable within a clustering (and kept across incremental runs).
        label: A readable name (top terms, dominant node, tools).
        centroid: Unit vector in the embedder's space.
        threshold: Largest cosine distance from the centroid at which a call still
            belongs here; the router sends farther calls to the LLM.
        size: Calls assigned (train and eval).
        top_terms: The most distinctive words of its calls' texts.
        node / task: The dominant LangGraph node / known task, if any.
        tools: Tool names its LLM answers called, most frequent first.
        call_ids: The member calls.
    """

    id: int
    label: str
    centroid: NDArray[np.float32]
    threshold: float
    size: int
    top_terms: tuple[str, ...] = ()
    node: str | None = None
    task: str | None = None
    tools: tuple[str, ...] = ()
    call_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Clustering:
    """The result of S3: clusters, every call's cluster, and how ``k`` was chosen.

    Attributes:
        clusters: In id order.
        assignments: ``call_id -> cluster id``.
        distances: ``call_id -> cosine distance`` to its cluster's centroid.
        embedder: Name of the embedding model (the router must use the same one).
        dim: Embedding dimension.
        text_version: :data:`~hetero_agents.routing.text.TEXT_VERSION` of the texts.
        criterion: The model-selection score per candidate ``k`` (e.g. silhouette).
        method: How the clusters were found, e.g. ``"kmeans+silhouette"``.
    """

    clusters: list[Cluster]
    assignments: dict[str, int]
    distances: dict[str, float]
    embedder: str
    dim: int
    text_version: str
    criterion: dict[int, float] = field(default_factory=dict)
    method: str = ""

    def group(
        self, examples: Iterable[Example], *, split: Split | None = None
    ) -> dict[int, list[Example]]:
        """``examples`` by cluster id, in their order (only ``split``, if given).

        Examples this clustering does not know are left out.
        """
        groups: dict[int, list[Example]] = {}
        for example in examples:
            cluster_id = self.assignments.get(example.call_id)
            if cluster_id is not None and split in (None, example.split):
                groups.setdefault(cluster_id, []).append(example)
        return groups

    def cluster(self, cluster_id: int) -> Cluster:
        """The cluster with this id."""
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        raise KeyError(cluster_id)


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """How one candidate (model x mode) did on one cluster's eval split in S4.

    Attributes:
        cluster_id: The cluster replayed.
        candidate: Catalog name or user-given model name.
        mode: ``zero-shot``, ``few-shot`` or ``lora``.
        n: Eval calls replayed.
        accuracy: Agreement with the LLM's recorded answers, 0..1 (AST match for
            tool calls, schema validity + equality for JSON, embedding similarity
            over a threshold for text).
        validity: Share of answers that were well-formed (valid tool call / JSON).
        similarity: Mean text similarity to the LLM's answers, when text was compared.
        latency_ms: Median time per call.
        footprint_mb: Model (+ adapter) file size, a proxy for memory and cost.
        errors: Calls whose replay raised.
        metric: What ``accuracy`` measured: ``"tool_call"``, ``"json"`` or ``"text"``.
        lora: The adapter path used by ``mode == "lora"``.
        details: Per-call outcomes and anything else worth keeping for the report.
    """

    cluster_id: int
    candidate: str
    mode: Mode
    n: int
    accuracy: float
    validity: float
    latency_ms: float
    footprint_mb: float
    metric: str
    similarity: float | None = None
    errors: int = 0
    lora: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Selection:
    """S4's decision for one cluster: who serves it, and why.

    Attributes:
        cluster_id: The cluster.
        tier: ``"slm"`` or ``"llm"``.
        model / mode / lora: The chosen candidate (``None`` when the LLM keeps it).
        score: The chosen candidate's accuracy (or the best one's when none passed).
        required: The accuracy it had to reach.
        reason: Why, in words (shown in the report and the CLI).
        previous_tier: The tier in the artifact this run replaces, if any.
    """

    cluster_id: int
    tier: Tier
    reason: str
    required: float
    model: str | None = None
    mode: Mode | None = None
    lora: str | None = None
    score: float | None = None
    previous_tier: Tier | None = None

    @property
    def change(self) -> str | None:
        """``"promoted"`` / ``"demoted"`` against the previous artifact, else ``None``."""
        if self.previous_tier is None or self.previous_tier == self.tier:
            return None
        return "promoted" if self.tier == "slm" else "demoted"


@dataclass(frozen=True, slots=True)
class DriftFlag:
    """A sign that live traffic moved away from what the artifact was built on.

    Attributes:
        metric: ``"escalation_rate"``, ``"validation_failures"`` or ``"far_calls"``.
        value: The current value; baseline: the value when the artifact was built.
        cluster_id: The cluster concerned, ``None`` for a global metric.
        flagged: Whether it crossed the alarm level.
        note: What it means and what to do, in words.
    """

    metric: str
    value: float
    baseline: float | None
    flagged: bool
    note: str
    cluster_id: int | None = None


def _function_name(tool: Mapping[str, Any]) -> str:
    function = tool.get("function", tool)
    name = function.get("name") if isinstance(function, Mapping) else None
    return name if isinstance(name, str) else ""


__all__ = [
    "MODES",
    "CandidateScore",
    "Cluster",
    "Clustering",
    "DriftFlag",
    "Example",
    "Mode",
    "Selection",
    "Split",
    "Tier",
]
