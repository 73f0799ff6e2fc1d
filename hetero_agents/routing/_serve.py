"""How a routed call is served: the same plan, awaited four ways.

Each function asks the :class:`~hetero_agents.routing._call.RoutedCall` what to do
at every turn (serve or escalate, fall back or raise), so the sync, async and
streaming paths cannot drift apart in policy, only in how they call the tier.

Streaming never mixes tiers: an answer the decision asks to verify is collected
in full before its first chunk is yielded; an unverified SLM answer streams
live, and an error after its first chunk is raised rather than escalated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from hetero_agents.routing import _tiers
from hetero_agents.routing._call import RoutedCall, first_message


def serve(call: RoutedCall) -> ChatResult:
    """A complete answer: the SLM (checked when asked), else the LLM, else the fallback."""
    if call.report.tier == "slm":
        try:
            result = _tiers.generate(*call.tier_args())
        except Exception as exc:
            call.slm_failed(exc)
        else:
            if call.slm_answered(first_message(result)):
                return result
    try:
        return _tiers.generate(*call.tier_args())
    except Exception as exc:
        call.llm_failed(exc)
    return _tiers.generate(*call.tier_args())


def serve_stream(
    call: RoutedCall, run_manager: CallbackManagerForLLMRun | None = None
) -> Iterator[ChatGenerationChunk]:
    """Chunks of one tier only: a checked SLM answer is buffered until it passes."""
    served: list[ChatGenerationChunk] = []
    if call.report.tier == "slm":
        try:
            if call.buffer_slm:
                buffered = list(_tiers.stream(*call.tier_args()))
                if call.slm_answered(_tiers.merge_chunks(buffered)):
                    served = buffered
                    yield from buffered
            else:
                for chunk in _tiers.stream(*call.tier_args()):
                    served.append(chunk)
                    yield chunk
        except Exception as exc:
            if served:
                raise  # tokens were already sent: switching tiers would mix them
            call.slm_failed(exc)
    if not served:
        try:
            for chunk in _tiers.stream(*call.tier_args()):
                served.append(chunk)
                yield chunk
        except Exception as exc:
            if served:
                raise
            call.llm_failed(exc)
            for chunk in _tiers.stream(*call.tier_args()):
                served.append(chunk)
                yield chunk
    if call.decision.shadow is not None:
        call.shadow(_tiers.merge_chunks(served), run_manager)
    yield call.stamp_chunk(served[-1] if served else None)


# -- async ---------------------------------------------------------------------------------


async def aserve(call: RoutedCall) -> ChatResult:
    """Async :func:`serve`."""
    if call.report.tier == "slm":
        try:
            result = await _tiers.agenerate(*call.tier_args())
        except Exception as exc:
            call.slm_failed(exc)
        else:
            if call.slm_answered(first_message(result)):
                return result
    try:
        return await _tiers.agenerate(*call.tier_args())
    except Exception as exc:
        call.llm_failed(exc)
    return await _tiers.agenerate(*call.tier_args())


async def aserve_stream(
    call: RoutedCall, run_manager: AsyncCallbackManagerForLLMRun | None = None
) -> AsyncIterator[ChatGenerationChunk]:
    """Async :func:`serve_stream`."""
    served: list[ChatGenerationChunk] = []
    if call.report.tier == "slm":
        try:
            if call.buffer_slm:
                buffered = [c async for c in _tiers.astream(*call.tier_args())]
                if call.slm_answered(_tiers.merge_chunks(buffered)):
                    served = buffered
                    for chunk in buffered:
                        yield chunk
            else:
                async for chunk in _tiers.astream(*call.tier_args()):
                    served.append(chunk)
                    yield chunk
        except Exception as exc:
            if served:
                raise
            call.slm_failed(exc)
    if not served:
        try:
            async for chunk in _tiers.astream(*call.tier_args()):
                served.append(chunk)
                yield chunk
        except Exception as exc:
            if served:
                raise
            call.llm_failed(exc)
            async for chunk in _tiers.astream(*call.tier_args()):
                served.append(chunk)
                yield chunk
    if call.decision.shadow is not None:
        call.shadow(_tiers.merge_chunks(served), run_manager)
    yield call.stamp_chunk(served[-1] if served else None)
