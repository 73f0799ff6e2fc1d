"""Shadow mode: serve one tier, quietly run the other on a sample, record agreement.

This is how a task earns promotion to an SLM without risk: the LLM keeps
serving, the SLM answers the same sampled calls in a background thread, and the
agreement rate per task tells when the SLM is good enough (or, serving the SLM
and shadowing the LLM, whether it still is).

Results go to, in this order:

* ``on_result`` — a callable you pass (e.g. to write them somewhere);
* ``ShadowPolicy.results`` (the most recent ones) and ``ShadowPolicy.stats()``
  (agreement counts per task);
* when the served call had LangChain callback handlers (``invoke``, ``batch``,
  ``stream`` and their async forms), a custom callback event named
  ``"hetero_shadow"`` whose ``run_id`` is the *served* call's run id and whose
  data is :meth:`ShadowResult.as_dict`; a handler such as ``CallLogger``
  attaches it to that call's row. (LangChain's ``stream()`` gives ``_stream`` no
  run manager; the router gets the run back, see
  :mod:`~hetero_agents.routing._stream_run`.)

Only one shadow call runs at a time (one background thread: on a small
machine the shadow must not compete with the served calls), and at most
``max_pending`` wait; further samples are dropped and counted in ``dropped``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from hetero_agents.routing.agreement import compare
from hetero_agents.routing.decision import Decision, Tier, describe_error

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage, BaseMessage

    from hetero_agents.routing.context import RouteContext
    from hetero_agents.routing.policies.base import Policy

logger = logging.getLogger(__name__)

SHADOW_EVENT = "hetero_shadow"
"""Name of the custom callback event that carries a :class:`ShadowResult`."""


@dataclass(frozen=True, slots=True)
class ShadowPlan:
    """Part of a :class:`Decision`: run ``tier`` (``model``) in the background too."""

    tier: Tier
    model: str | None
    policy: ShadowPolicy


@dataclass(frozen=True, slots=True)
class ShadowJob:
    """What the router hands to the shadow thread after serving a call."""

    run: Callable[[], AIMessage]
    served: AIMessage
    served_tier: Tier
    served_model: str
    shadow_tier: Tier
    shadow_model: str
    task: str | None = None
    node: str | None = None
    run_id: str | None = None
    notify: Callable[[ShadowResult], None] | None = None


@dataclass(frozen=True, slots=True)
class ShadowResult:
    """The outcome of one shadow call.

    ``agreed``/``similarity``/``kind`` are ``None`` when the shadow tier failed;
    ``error`` then says how.
    """

    task: str | None
    node: str | None
    served_tier: Tier
    served_model: str
    shadow_tier: Tier
    shadow_model: str
    agreed: bool | None
    similarity: float | None
    kind: str | None
    error: str | None
    run_id: str | None
    duration_s: float

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the data of the ``hetero_shadow`` callback event)."""
        return asdict(self)


@dataclass(slots=True)
class ShadowStats:
    """Running agreement counts for one task."""

    calls: int = 0
    agreed: int = 0
    errors: int = 0

    @property
    def agreement(self) -> float | None:
        """Share of completed shadow calls that agreed, or ``None`` before any."""
        done = self.calls - self.errors
        return self.agreed / done if done else None


class ShadowPolicy:
    """Wrap any policy: serve what it decides, shadow the other tier on a sample.

    Args:
        inner: The policy that decides what is served.
        sample_rate: Fraction of calls (0..1) that are also run on the other tier.
        shadow_slm: Which SLM shadows LLM-served calls (``None``: the first SLM).
        on_result: Called with every :class:`ShadowResult`, on the shadow thread.
        text_threshold: Similarity at which two text answers count as agreeing.
        max_pending: Shadow calls allowed to wait; more samples are dropped.
        keep: How many recent results ``results`` holds.
        seed: Seed of the sampling, for reproducible experiments.
    """

    name = "shadow"

    def __init__(
        self,
        inner: Policy,
        *,
        sample_rate: float = 0.1,
        shadow_slm: str | None = None,
        on_result: Callable[[ShadowResult], None] | None = None,
        text_threshold: float = 0.8,
        max_pending: int = 4,
        keep: int = 1000,
        seed: int | None = None,
    ) -> None:
        if not 0.0 <= sample_rate <= 1.0:
            raise ValueError(f"sample_rate must be between 0 and 1, not {sample_rate!r}")
        self.inner = inner
        self.sample_rate = sample_rate
        self.shadow_slm = shadow_slm
        self.on_result = on_result
        self.text_threshold = text_threshold
        self.max_pending = max_pending
        self.results: deque[ShadowResult] = deque(maxlen=keep)
        self.dropped = 0
        self._stats: dict[str | None, ShadowStats] = {}
        self._rng = random.Random(seed)  # noqa: S311 - sampling, not security
        self._pending = 0
        self._idle = threading.Condition()
        self._executor: ThreadPoolExecutor | None = None

    def decide(self, messages: Sequence[BaseMessage], context: RouteContext) -> Decision:
        """The inner policy's decision, with a shadow plan on sampled calls."""
        decision = self.inner.decide(messages, context)
        if self.sample_rate == 0.0 or self._rng.random() >= self.sample_rate:
            return decision
        if decision.tier == "slm":
            return replace(decision, shadow=ShadowPlan("llm", None, self))
        if not context.slms:
            return decision
        return replace(decision, shadow=ShadowPlan("slm", self.shadow_slm, self))

    def submit(self, job: ShadowJob) -> bool:
        """Queue a shadow call; ``False`` if too many are pending (then it is dropped)."""
        with self._idle:
            if self._pending >= self.max_pending:
                self.dropped += 1
                return False
            self._pending += 1
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="hetero-shadow")
            executor = self._executor
        executor.submit(self._run, job)
        return True

    def _run(self, job: ShadowJob) -> None:
        started = time.perf_counter()
        try:
            shadow = job.run()
            agreement = compare(job.served, shadow, text_threshold=self.text_threshold)
            outcome: tuple[bool | None, float | None, str | None, str | None] = (
                agreement.agreed,
                agreement.similarity,
                agreement.kind,
                None,
            )
        except Exception as exc:
            outcome = (None, None, None, describe_error(exc, job.shadow_tier))
        result = ShadowResult(
            job.task,
            job.node,
            job.served_tier,
            job.served_model,
            job.shadow_tier,
            job.shadow_model,
            *outcome,
            run_id=job.run_id,
            duration_s=time.perf_counter() - started,
        )
        try:
            self._record(result, job)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _record(self, result: ShadowResult, job: ShadowJob) -> None:
        with self._idle:
            self.results.append(result)
            stats = self._stats.setdefault(result.task, ShadowStats())
            stats.calls += 1
            stats.agreed += bool(result.agreed)
            stats.errors += result.error is not None
        logger.debug("shadow result: %s", result)
        for sink in (self.on_result, job.notify):
            if sink is None:
                continue
            try:
                sink(result)
            except Exception:
                logger.warning("a shadow result sink failed", exc_info=True)

    def stats(self) -> dict[str | None, ShadowStats]:
        """Agreement counts per task (``None``: calls without a task)."""
        with self._idle:
            return {task: replace(s) for task, s in self._stats.items()}

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until no shadow call is pending; ``False`` if ``timeout`` ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, *, cancel_pending: bool = False) -> None:
        """Stop the shadow thread after the running call; queued ones run unless cancelled."""
        with self._idle:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=cancel_pending)
        with self._idle:
            self._pending = 0
            self._idle.notify_all()

    def __repr__(self) -> str:
        return f"ShadowPolicy({self.inner!r}, sample_rate={self.sample_rate!r})"
