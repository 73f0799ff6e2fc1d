"""``ChatRouter``: one chat model made of an LLM and SLMs, a policy choosing per call.

It is a drop-in ``BaseChatModel``: pass it wherever the agent used its LLM
(``create_react_agent``, a ``StateGraph`` node, a chain). For every call:

1. the call's context is gathered (node, task, tags, bound tools; see
   :mod:`~hetero_agents.routing.context`);
2. a tier named by the caller (``model=``) wins, then a ``@hetero_node(tier=...)``
   pin, else the node's or the router's policy decides
   (:class:`~hetero_agents.routing.decision.Decision`);
3. the chosen tier answers inside the router's own LangChain run (see
   :mod:`~hetero_agents.routing._tiers`), so handlers see one call;
4. an SLM answer that the decision asks to verify is buffered and checked
   before anyone sees a token; a failed check, an SLM error or
   ``ContextWindowExceeded`` sends the same request to the LLM; an LLM error
   (after the LLM client's own retries) optionally falls back to an SLM;
5. what happened is stamped on the answer as ``response_metadata["hetero"]``.

The sync and async paths share every decision through :class:`RoutedCall`; only the
awaiting differs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr, model_validator

from hetero_agents.routing import _serve, _stream_run, _tiers
from hetero_agents.routing._call import LLM_KEY, RoutedCall, first_message
from hetero_agents.routing._structured import StructuredMethod, structured_runnable
from hetero_agents.routing.context import RouteContext, build_context
from hetero_agents.routing.decision import Decision, describe_error
from hetero_agents.routing.policies.base import Policy
from hetero_agents.routing.policies.cascade import CascadePolicy

if TYPE_CHECKING:
    from langchain_core.language_models.base import LangSmithParams

logger = logging.getLogger(__name__)


class ChatRouter(BaseChatModel):
    """A chat model that sends each call to an SLM or to the LLM, as a policy decides.

    Any LangChain chat model can be a tier: ``ChatLlamaCpp``, ``ChatOpenAI``
    pointed at OpenAI or at any OpenAI-compatible engine, a fake in tests.
    ``bind_tools`` and ``with_structured_output`` apply to every tier; sync,
    async, streaming and batch all work. Every answer carries
    ``response_metadata["hetero"]`` (see
    :class:`~hetero_agents.routing.decision.HeteroMetadata`).

    Example:
        >>> router = ChatRouter(llm=ChatOpenAI(model="gpt-4o"),
        ...                     slms={"qwen": load_model("qwen2.5-coder-0.5b")},
        ...                     policy=CascadePolicy())
        >>> agent = create_react_agent(router, tools)

    Attributes:
        llm: The large model: the tier of last resort, and the default.
        slms: Small models by name; the first is the default SLM.
        policy: Decides each call (default: ``CascadePolicy()``, SLM first and
            verified). ``@hetero_node`` may pin a tier or set another policy per node.
        llm_name: The LLM's name in ``response_metadata["hetero"]["model"]``
            (default: its own model name).
        escalate_on_error: Send a call to the LLM when the SLM raises (including
            ``ContextWindowExceeded``). On by default.
        fallback_to_slm: Send a call to an SLM when the LLM raises after its own
            retries. Off by default: an LLM outage silently served by a small
            model is not what everyone wants.
        streaming: Stream internally even on ``invoke`` (LangChain's standard flag).
        stop: Default stop sequences for every tier.

    A call may name its tier: ``router.invoke(x, model="qwen")`` (an SLM's name)
    or ``model="llm"`` bypasses every policy (LangChain's standard per-call
    ``model`` override, read as "which of my models").
    """

    llm: BaseChatModel
    slms: dict[str, BaseChatModel] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=CascadePolicy)
    llm_name: str | None = None
    escalate_on_error: bool = True
    fallback_to_slm: bool = False
    streaming: bool = False
    stop: list[str] | None = None

    _tier_set: _tiers.TierSet = PrivateAttr()
    _llm_label: str = PrivateAttr(default=LLM_KEY)
    _slm_names: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _build_tiers(self) -> Self:
        if LLM_KEY in self.slms:
            raise ValueError(f"an SLM may not be named {LLM_KEY!r}: that name is the LLM's")
        self._slm_names = tuple(self.slms)
        self._llm_label = self.llm_name or _model_label(self.llm)
        self._tier_set = _tiers.TierSet({**self.slms, LLM_KEY: self.llm})
        return self

    # -- LangChain plumbing ------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "hetero-router"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"llm": self._llm_label, "slms": list(self._slm_names), "policy": self.policy.name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params: LangSmithParams = {
            "ls_provider": "hetero_agents",
            "ls_model_name": kwargs.get("model") or f"router:{self._llm_label}",
            "ls_model_type": "chat",
        }
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    # -- binding -----------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools for every tier.

        The tools are converted once to the OpenAI format; each tier then binds
        them with its own ``bind_tools`` (done here, eagerly, so that a tool or a
        ``tool_choice`` a tier rejects fails now and not mid-conversation).

        Args:
            tools: Tools in any form ``convert_to_openai_tool`` accepts.
            tool_choice: ``"auto"``, ``"any"``/``"required"``, ``"none"``, a tool
                name, or ``{"type": "function", "function": {"name": ...}}``.
            **kwargs: Passed on to each tier's ``bind_tools``.
        """
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        bound_kwargs: dict[str, Any] = {"tools": formatted, **kwargs}
        if tool_choice is not None:
            bound_kwargs["tool_choice"] = tool_choice
        call_kwargs = {k: v for k, v in bound_kwargs.items() if not k.startswith("ls_")}
        for name in self._tier_set.models:
            try:
                self._tier_set.call_kwargs(name, call_kwargs)
            except _tiers.TierUnsupportedError:
                if name == LLM_KEY:
                    raise
                # an SLM without tool calling: calls with tools escalate to the LLM
        return self.bind(**bound_kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Structured output from whichever tier serves, validated by the cascade.

        Args:
            schema: A pydantic class, a TypedDict, a JSON schema or an OpenAI tool.
            method: ``"function_calling"`` (default; the schema becomes a required
                tool), ``"json_schema"`` or ``"json_mode"`` (JSON text).
            include_raw: Return ``{"raw", "parsed", "parsing_error"}``.
            strict: Passed to the schema conversion.
            **kwargs: Not supported; present for a clear error.
        """
        if kwargs:
            raise ValueError(f"unsupported arguments: {sorted(kwargs)}")
        return structured_runnable(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )

    # -- deciding ----------------------------------------------------------------------------

    def _decide(
        self, messages: Sequence[BaseMessage], context: RouteContext, requested: str | None = None
    ) -> Decision:
        if requested is not None:
            reason = f"model={requested!r} requested by the caller"
            if requested == LLM_KEY:
                return Decision("llm", "requested", reason)
            return Decision("slm", "requested", reason, model=requested)
        if context.pinned_tier is not None:
            where = context.task or context.node or "this node"
            return Decision(
                context.pinned_tier,
                "pinned",
                f"@hetero_node pinned {where} to {context.pinned_tier}",
                model=context.pinned_model,
            )
        policy = context.node_policy or self.policy
        try:
            decision = policy.decide(messages, context)
        except Exception as exc:
            logger.warning("routing policy %r failed; using the LLM", policy, exc_info=True)
            return Decision("llm", policy.name, describe_error(exc, "policy"))
        if decision.tier == "slm" and not self.slms:
            return Decision("llm", decision.policy, "no SLM configured", score=decision.score)
        return decision

    def _call(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
    ) -> RoutedCall:
        requested = kwargs.pop("model", None)
        if requested is not None and requested not in self._tier_set.models:
            tiers = ", ".join(repr(name) for name in self._tier_set.models)
            raise ValueError(
                f"model={requested!r} is not a tier of this router; "
                f"model= picks a tier by name: {tiers}"
            )
        if run_manager is not None:
            context = build_context(
                kwargs, slms=self._slm_names, metadata=run_manager.metadata, tags=run_manager.tags
            )
        else:
            context = build_context(kwargs, slms=self._slm_names)
        return RoutedCall(self, messages, stop, kwargs, context, requested=requested)

    # -- streaming entry points ----------------------------------------------------------------

    def stream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[AIMessageChunk]:
        """LangChain's ``stream``, with the run made known to ``_stream``.

        The base method gives ``_stream`` no run manager; see
        :mod:`~hetero_agents.routing._stream_run` for how the router gets it back
        (routing metadata and the shadow link need it).
        """
        run = _stream_run.StreamRun(self, config, stop, kwargs)
        yield from _stream_run.linked(run, super().stream(input, run.config, stop=stop, **kwargs))

    async def astream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[AIMessageChunk]:
        """Async :meth:`stream`."""
        run = _stream_run.StreamRun(self, config, stop, kwargs)
        chunks = super().astream(input, run.config, stop=stop, **kwargs)
        async with aclosing(_stream_run.alinked(run, chunks)) as linked:
            async for chunk in linked:
                yield chunk

    # -- sync ----------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._call(messages, stop, kwargs, run_manager)
        result = _serve.serve(call)
        call.shadow(first_message(result), run_manager)
        return call.stamp(result)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if run_manager is None and (run := _stream_run.claim(self)) is not None:
            run_manager = run.run_manager()
        call = self._call(messages, stop, kwargs, run_manager)
        yield from _serve.serve_stream(call, run_manager)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._call(messages, stop, kwargs, run_manager)
        result = await _serve.aserve(call)
        call.shadow(first_message(result), run_manager)
        return call.stamp(result)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if run_manager is None and (run := _stream_run.claim(self)) is not None:
            run_manager = run.async_run_manager()
        call = self._call(messages, stop, kwargs, run_manager)
        async for chunk in _serve.aserve_stream(call, run_manager):
            yield chunk


def _model_label(model: BaseChatModel) -> str:
    """A readable name for a model: its own model name, else its class name."""
    try:
        name = model._get_ls_params().get("ls_model_name")
    except Exception:
        name = None
    return name if isinstance(name, str) and name else type(model).__name__


__all__ = ["LLM_KEY", "ChatRouter"]
