"""``ChatLlamaCpp``: a GGUF model running in-process through llama-cpp-python."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from hetero_agents.chat_models._async_bridge import iterate_in_thread
from hetero_agents.chat_models._call_control import CallControl
from hetero_agents.chat_models._chunks import RawChunk, flag_incomplete_call, to_generation_chunk
from hetero_agents.chat_models._client_state import client_state
from hetero_agents.chat_models._generation import generate
from hetero_agents.chat_models._loading import load_llama
from hetero_agents.chat_models._planning import SAMPLING_KEYS, prepare_call
from hetero_agents.chat_models._structured import structured_runnable
from hetero_agents.chat_models._tool_choice import normalize_tool_choice, tool_choice_payload


class ChatLlamaCpp(BaseChatModel):
    """A LangChain chat model that runs a GGUF in-process with llama.cpp.

    Built for agents: tool calls and structured output are grammar-constrained
    (what comes back always parses, names a bound tool, and matches its schema),
    concurrent calls on one model are serialised safely, every response carries
    token usage and the mean token log-probability (a confidence signal for
    routing), and bad input raises typed errors from :mod:`hetero_agents.errors`.

    Every response's ``response_metadata`` holds ``model_name``, ``finish_reason``
    (``stop``, ``length`` or ``tool_calls``) and ``mean_logprob``: the mean natural-log
    probability the model gave the tokens it chose, read from the logits llama.cpp
    already computed for sampling (so no ``logits_all=True``, which would keep
    ``n_ctx x n_vocab`` floats and slow every forward pass). It is the raw model's
    probability before grammar masking, so an answer the model itself would not
    have given scores low; markup the model had no choice about (a prefilled
    ``<tool_call>`` tag) is left out. ``usage_metadata`` (input, output, total
    tokens) comes on every response, on the final chunk when streaming.

    Example:
        >>> from hetero_agents import ChatLlamaCpp
        >>> llm = ChatLlamaCpp(model_path="SmolLM2-135M-Instruct.Q4_1.gguf")
        >>> llm.invoke("Say hi").content  # doctest: +SKIP

    Prefer ``hetero_agents.load_model("smollm2-135m")`` for the embedded models.
    """

    model_config = ConfigDict(protected_namespaces=())

    model_path: str | None = None
    """Path of the ``.gguf`` file to load (ignored when ``client`` is given)."""
    client: Any = Field(default=None, exclude=True, repr=False)
    """An already-loaded ``llama_cpp.Llama`` to use instead of ``model_path``."""
    model_name: str | None = None
    """Name reported in metadata; defaults to the GGUF's ``general.name`` or file stem."""
    n_ctx: int = 4096
    """Context window in tokens (prompt plus response)."""
    n_threads: int | None = None
    """CPU threads for llama.cpp; ``None`` lets llama.cpp decide."""
    n_batch: int = 512
    """Prompt tokens evaluated per forward pass."""
    n_gpu_layers: int = 0
    """Layers to offload to a GPU build of llama.cpp (``-1`` for all)."""
    lora_path: str | None = None
    """A LoRA adapter in GGUF form to apply on load."""
    lora_scale: float = 1.0
    """Strength of the LoRA adapter."""
    chat_template: str | None = None
    """Jinja chat template overriding the one stored in the GGUF."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Further ``llama_cpp.Llama`` constructor arguments."""
    temperature: float = 0.0
    """Sampling temperature; 0 is greedy, which makes agent runs reproducible."""
    max_tokens: int | None = 512
    """Response budget in tokens; ``None`` means until the context is full."""
    stop: list[str] | None = None
    """Stop sequences for free text (never applied inside tool calls or JSON)."""
    seed: int | None = None
    """Sampling seed for ``temperature > 0``; ``None`` is random."""
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    dry_multiplier: float | None = None
    """DRY anti-repetition strength. ``None``: 0.8 under a grammar, off for free
    text (a loop inside a JSON string would otherwise never produce valid output)."""
    streaming: bool = False
    """Whether ``invoke`` streams to callbacks (generation always streams inside)."""
    timeout: float | None = None
    """Seconds one call may take, waiting for the model included; ``TimeoutError`` after."""
    max_retries: int = 0
    """Accepted for LangChain compatibility; in-process inference has no transient
    failures to retry."""

    _llama: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load(self) -> Self:
        if self.client is not None:
            self._llama = self.client
        elif self.model_path:
            self._llama = load_llama(
                self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_batch=self.n_batch,
                n_gpu_layers=self.n_gpu_layers,
                seed=self.seed,
                lora_path=self.lora_path,
                lora_scale=self.lora_scale,
                extra=self.model_kwargs,
            )
        else:
            raise ValueError(
                "ChatLlamaCpp needs model_path= (a .gguf file) or client= (a loaded "
                "llama_cpp.Llama); for the embedded models use hetero_agents.load_model(name)"
            )
        if self.model_name is None:
            metadata = getattr(self._llama, "metadata", None) or {}
            source = self.model_path or getattr(self._llama, "model_path", None) or "gguf"
            self.model_name = metadata.get("general.name") or Path(source).stem
        return self

    @property
    def llama(self) -> Any:
        """The ``llama_cpp.Llama`` this model runs on (for raw access, e.g. benchmarks).

        Calls made on it directly bypass this model's lock; do not make them while
        the model may be generating.
        """
        return self._llama

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            **{key: getattr(self, key) for key in SAMPLING_KEYS},
            "stop": self.stop,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="llama_cpp",
            ls_model_name=kwargs.get("model") or self.model_name or "",
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
        )
        if (max_tokens := kwargs.get("max_tokens", self.max_tokens)) is not None:
            params["ls_max_tokens"] = max_tokens
        if stops := stop or self.stop:
            params["ls_stop"] = list(stops)
        return params

    # -- generation ------------------------------------------------------------------------

    def _raw_stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        cancelled: threading.Event | None = None,
    ) -> Generator[RawChunk, None, None]:
        """Every path of this model comes through here: validate, render, generate."""
        model_name = self.model_name or ""
        defaults = {key: getattr(self, key) for key in SAMPLING_KEYS} | {"stop": self.stop}
        call = prepare_call(defaults, stop, kwargs, model_name)
        state = client_state(self._llama)
        prompt_text = state.renderer(self.chat_template).render(
            messages, tools=call.tools, instructions=call.instructions
        )
        decoder = state.decoder()
        prompt = decoder.tokenize(prompt_text, special=True)
        control = CallControl(self.timeout, cancelled)
        with control.holding(state.lock, model_name) as check:
            yield from generate(decoder, prompt, call.plan, model_name, check)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for raw in self._raw_stream(messages, stop, kwargs):
            chunk = to_generation_chunk(raw)
            if run_manager is not None:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        executor = client_state(self._llama).executor()
        produce = lambda cancelled: self._raw_stream(messages, stop, kwargs, cancelled)  # noqa: E731
        async for raw in iterate_in_thread(executor, produce):
            chunk = to_generation_chunk(raw)
            if run_manager is not None:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return flag_incomplete_call(
            generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        )

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result = await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        return flag_incomplete_call(result)

    # -- tools and structured output -------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | Any],
        *,
        tool_choice: str | dict[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools; their calls will be grammar-constrained to the tools' schemas.

        Args:
            tools: LangChain tools, pydantic models, TypedDicts, functions or
                OpenAI tool dicts (converted once, here).
            tool_choice: ``"auto"``/``None`` (the model decides), ``"any"`` or
                ``"required"`` (at least one call), ``"none"`` (plain text), a tool
                name or ``{"type": "function", "function": {"name": ...}}``.
            parallel_tool_calls: ``False`` allows only one call per response.
            **kwargs: Further call arguments to bind.

        Raises:
            ValueError: Unknown ``tool_choice`` (the message lists allowed values).
        """
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        mode = normalize_tool_choice(tool_choice, [t["function"]["name"] for t in formatted])
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=formatted, tool_choice=tool_choice_payload(mode), **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: str = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Return a runnable whose output is a ``schema`` instance (or dict).

        Args:
            schema: A pydantic model, a TypedDict, or a JSON schema dict.
            method: ``"json_schema"`` (default: the whole answer is JSON constrained
                by the schema), ``"function_calling"`` (a forced call of a tool with
                the schema), or ``"json_mode"`` (any JSON object).
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of
                raising when parsing fails.
            strict: Accepted for compatibility: output is always schema-constrained.
            **kwargs: Not supported; raises ``ValueError``.
        """
        if kwargs:
            raise ValueError(f"unsupported with_structured_output arguments: {sorted(kwargs)}")
        return structured_runnable(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )
