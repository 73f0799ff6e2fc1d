"""Learned routing: send each call to the tier its nearest cluster of past calls earned.

The conversion pipeline clusters logged calls, replays each cluster on
candidate SLMs, and writes a router artifact
(:mod:`~hetero_agents.routing.artifact`) saying which clusters an SLM serves
well. This policy embeds every live call the same way (same embedder, same
:func:`~hetero_agents.routing.text.routing_text`), finds the nearest centroid,
and routes to that cluster's tier. A call farther from every centroid than the
cluster's threshold is unlike anything the pipeline evaluated: it goes to the LLM.

Decision cost is one embedding plus a (clusters x dim) dot product. Agents repeat
prompts a lot (a ReAct loop re-sends the same system and user message each
step), so embeddings are kept in a small LRU cache keyed by the routing text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from hetero_agents.errors import ArtifactError
from hetero_agents.routing.artifact import RouterArtifact
from hetero_agents.routing.decision import Decision, Verifier
from hetero_agents.routing.policies.cascade import build_verifier
from hetero_agents.routing.text import TEXT_VERSION, routing_text
from hetero_agents.routing.validators import UserCheck, Validator, first_failure

if TYPE_CHECKING:
    import numpy as np
    from langchain_core.messages import BaseMessage
    from numpy.typing import NDArray

    from hetero_agents.routing.artifact import ClusterSpec
    from hetero_agents.routing.context import RouteContext
    from hetero_agents.routing.embedders import Embedder


class ClusterPolicy:
    """Route to the nearest cluster's tier, as learned by the conversion pipeline.

    Args:
        artifact: A loaded :class:`RouterArtifact` or the directory of one.
        embedder: The embedder; by default a ``SentenceTransformerEmbedder`` for the
            artifact's embedding model (the bundled all-MiniLM-L6-v2, offline).
        verify: Verify SLM answers like ``CascadePolicy`` does (built-in checks,
            the cluster's ``min_mean_logprob``, ``validators``), escalating failures.
        validators: Extra checks for SLM answers.
        cache_size: Routing texts whose embeddings are kept (0 disables the cache).

    Raises:
        ArtifactError: The artifact cannot be loaded, or was built with a different
            embedder or routing-text version than this policy would use.
    """

    name = "cluster"

    def __init__(
        self,
        artifact: RouterArtifact | str | Path,
        embedder: Embedder | None = None,
        *,
        verify: bool = True,
        validators: Iterable[UserCheck | Validator] = (),
        cache_size: int = 1024,
    ) -> None:
        self.artifact = (
            artifact if isinstance(artifact, RouterArtifact) else RouterArtifact.load(artifact)
        )
        spec = self.artifact.embedding
        if embedder is None:
            from hetero_agents.routing.embedders import embedder_named

            try:
                embedder = embedder_named(spec.model)
            except (OSError, ValueError) as exc:
                raise ArtifactError(
                    f"cannot load the artifact's embedder {spec.model!r} from local files ({exc});"
                    " install it or pass embedder="
                ) from exc
        if embedder.name != spec.model or embedder.dim != spec.dim:
            raise ArtifactError(
                f"the artifact was built with {spec.model} ({spec.dim} dims) but the embedder is "
                f"{embedder.name} ({embedder.dim} dims); use the same embedder"
            )
        if spec.text_version != TEXT_VERSION:
            raise ArtifactError(
                f"the artifact embeds routing text {spec.text_version}, this version of "
                f"hetero-agents makes {TEXT_VERSION}; re-run the pipeline's clustering"
            )
        self.embedder = embedder
        self.verify_answers = verify
        self._verifiers: dict[int, Verifier] = {
            cluster.id: partial(
                first_failure,
                build_verifier(validators, min_mean_logprob=cluster.min_mean_logprob),
            )
            for cluster in self.artifact.clusters
        }
        self.cache_size = cache_size
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, text: str) -> NDArray[np.float32]:
        """The unit embedding of a routing text, from the cache when possible."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector: NDArray[np.float32] = self.embedder.embed([text])[0]
        if self.cache_size > 0:
            with self._lock:
                self._cache[text] = vector
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return vector

    def nearest(
        self, messages: Sequence[BaseMessage], context: RouteContext
    ) -> tuple[ClusterSpec, float]:
        """The call's nearest cluster and its cosine distance."""
        return self.artifact.nearest(self.embed(routing_text(messages, context.tools)))

    def decide(self, messages: Sequence[BaseMessage], context: RouteContext) -> Decision:
        """Route to the nearest cluster's tier; far-away calls go to the LLM."""
        cluster, distance = self.nearest(messages, context)
        name = f"cluster {cluster.id}" + (f" ({cluster.label})" if cluster.label else "")
        if distance > cluster.threshold:
            reason = (
                f"far from every cluster: nearest {name} "
                f"at {distance:.3f} > {cluster.threshold:.3f}"
            )
            return Decision("llm", self.name, reason, score=distance)
        if cluster.tier == "llm":
            return Decision(
                "llm", self.name, f"{name} is served by the LLM", score=distance, cluster=cluster.id
            )
        return Decision(
            "slm",
            self.name,
            f"{name} at {distance:.3f}",
            model=cluster.slm_key,
            score=distance,
            verify=self._verifiers[cluster.id] if self.verify_answers else None,
            cluster=cluster.id,
        )

    def __repr__(self) -> str:
        return (
            f"ClusterPolicy(clusters={len(self.artifact.clusters)}, "
            f"embedder={self.embedder.name!r}, verify={self.verify_answers!r})"
        )
