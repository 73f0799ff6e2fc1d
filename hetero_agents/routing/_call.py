"""One routed call: its context, the decision, and the record of what actually happened.

``RoutedCall`` holds every decision the router makes *during* a call (serve the
SLM's answer or escalate, fall back after an LLM error, stamp the result, hand
the call to the shadow thread), so that the sync, async and streaming paths in
:mod:`~hetero_agents.routing._serve` only differ in how they await.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.tracers.base import BaseTracer

from hetero_agents.routing import _tiers
from hetero_agents.routing.decision import RouteReport, describe_error
from hetero_agents.routing.policies.shadow import SHADOW_EVENT, ShadowJob, ShadowResult

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from hetero_agents.routing.context import RouteContext
    from hetero_agents.routing.router import ChatRouter

logger = logging.getLogger("hetero_agents.routing.router")

LLM_KEY = "llm"
"""Name of the LLM tier; an SLM may not use it."""


class RoutedCall:
    """One routed call: its context, the decision, and the bookkeeping of what happened."""

    __slots__ = ("context", "decision", "kwargs", "messages", "report", "router", "stop")

    def __init__(
        self,
        router: ChatRouter,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        context: RouteContext,
        *,
        requested: str | None = None,
    ) -> None:
        self.router = router
        self.messages = messages
        self.stop = stop if stop is not None else router.stop
        self.kwargs = kwargs
        self.context = context
        self.decision = router._decide(messages, context, requested)
        tier, model = self.decision.tier, router._llm_label
        self.report = RouteReport(self.decision, tier, model, context.task, context.node)
        if tier == "slm":
            name = self.decision.model or context.default_slm or ""
            if name in router.slms:
                self.report.model = name
            else:
                known = ", ".join(router.slms) or "none"
                problem = f"unknown_model: {name!r} is not one of the router's SLMs ({known})"
                self.report.escalate(router._llm_label, problem)

    # -- the plan ----------------------------------------------------------------------------

    @property
    def tier_key(self) -> str:
        """Key of the tier to call now in the router's ``TierSet``."""
        return self.report.model if self.report.tier == "slm" else LLM_KEY

    def tier_args(
        self,
    ) -> tuple[BaseChatModel, list[BaseMessage], list[str] | None, dict[str, Any]]:
        """The model, messages, stop and kwargs to call the current tier with."""
        key = self.tier_key
        tiers = self.router._tier_set
        return tiers.models[key], self.messages, self.stop, tiers.call_kwargs(key, self.kwargs)

    @property
    def buffer_slm(self) -> bool:
        """Whether the SLM's answer must be complete and checked before it is served."""
        return self.decision.verify is not None

    # -- what happened -----------------------------------------------------------------------

    def slm_answered(self, message: AIMessage) -> bool:
        """Check an SLM answer; ``True`` to serve it, ``False`` after escalating."""
        verify = self.decision.verify
        if verify is None:
            return True
        try:
            problem = verify(message, self.context)
        except Exception as exc:
            problem = f"verifier_error: {type(exc).__name__}: {exc}"[:300]
        if problem is None:
            return True
        self.report.escalate(self.router._llm_label, problem)
        return False

    def slm_failed(self, exc: Exception) -> None:
        """Escalate after an SLM error, or re-raise it when escalation is off."""
        if not self.router.escalate_on_error:
            raise exc
        logger.info("SLM %r failed, escalating to the LLM: %s", self.report.model, exc)
        self.report.escalate(self.router._llm_label, describe_error(exc, "slm"))

    def llm_failed(self, exc: Exception) -> None:
        """Fall back to an SLM after an LLM error, or re-raise it."""
        router = self.router
        name = self.decision.model or self.context.default_slm
        if self.report.escalated or not router.fallback_to_slm or name not in router.slms:
            raise exc
        logger.warning("the LLM failed, falling back to SLM %r: %s", name, exc)
        self.report.fall_back(name or "", describe_error(exc, "llm"))

    def metadata(self) -> dict[str, Any]:
        """The ``response_metadata`` addition for the served answer."""
        return {"hetero": self.report.as_metadata()}

    def stamp(self, result: ChatResult) -> ChatResult:
        """Put the decision on every generation of a complete answer."""
        extra = self.metadata()
        for generation in result.generations:
            message = generation.message
            message.response_metadata = {**message.response_metadata, **extra}
        return result

    def stamp_chunk(self, last: ChatGenerationChunk | None) -> ChatGenerationChunk:
        """A final, empty chunk carrying the decision, for streamed answers."""
        empty: str | list[str | dict[str, Any]] = (
            [] if last is not None and isinstance(last.message.content, list) else ""
        )
        return ChatGenerationChunk(
            message=AIMessageChunk(content=empty, response_metadata=self.metadata())
        )

    def shadow(
        self,
        served: AIMessage,
        run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
    ) -> None:
        """Hand the call to the shadow thread when the decision asked for it."""
        plan = self.decision.shadow
        if plan is None or plan.tier == self.report.tier:
            return
        router = self.router
        name = LLM_KEY if plan.tier == "llm" else plan.model or self.context.default_slm
        if name is None or name not in router._tier_set.models:
            return
        tiers, messages, stop, kwargs = (
            router._tier_set,
            list(self.messages),
            self.stop,
            self.kwargs,
        )

        def run() -> AIMessage:
            call_kwargs = tiers.call_kwargs(name, kwargs)
            result = _tiers.generate(tiers.models[name], messages, stop, call_kwargs)
            message = result.generations[0].message
            assert isinstance(message, AIMessage)
            return message

        sync_manager = (
            run_manager.get_sync()
            if isinstance(run_manager, AsyncCallbackManagerForLLMRun)
            else run_manager
        )
        plan.policy.submit(
            ShadowJob(
                run=run,
                served=served,
                served_tier=self.report.tier,
                served_model=self.report.model,
                shadow_tier=plan.tier,
                shadow_model=router._llm_label if name == LLM_KEY else name,
                task=self.context.task,
                node=self.context.node,
                run_id=str(sync_manager.run_id) if sync_manager is not None else None,
                notify=event_sink(sync_manager) if sync_manager is not None else None,
            )
        )
        self.report.shadow = router._llm_label if name == LLM_KEY else name


def event_sink(run_manager: CallbackManagerForLLMRun) -> Callable[[ShadowResult], None] | None:
    """Send shadow results to the served call's handlers as a ``hetero_shadow`` event.

    Tracers are left out: they track open runs, and the served run has ended.
    """
    handlers = [h for h in run_manager.handlers if not isinstance(h, BaseTracer)]
    if not handlers:
        return None
    manager = CallbackManager(
        handlers=handlers,
        parent_run_id=run_manager.parent_run_id,
        tags=run_manager.tags,
        metadata=run_manager.metadata,
    )
    run_id = run_manager.run_id

    def sink(result: ShadowResult) -> None:
        manager.on_custom_event(SHADOW_EVENT, result.as_dict(), run_id=run_id)

    return sink


def first_message(result: ChatResult) -> AIMessage:
    """The answer of a tier's (single-generation) result."""
    message = result.generations[0].message
    if not isinstance(message, AIMessage):
        raise TypeError(f"a tier returned {type(message).__name__}, not an AIMessage")
    return message
