"""One response, in at most two phases: free text, then grammar-constrained output.

* Structured output is constrained from the first token. So are forced tool calls
  (``any``/``required``/a named tool), after a ``<tool_call>`` tag that is
  *prefilled* rather than generated: it is markup the model has no choice about, so
  it should neither cost a grammar step nor dilute the mean log-probability.
* ``auto`` starts as free text with no grammar at all (so plain answers cost nothing
  extra and may contain anything). If the model opens a tool call, generation
  rewinds to just after its ``<tool_call>`` tag (or to the ``{`` of a bare JSON
  call) and continues under the tool-call grammar, so the call that comes back is
  valid although the decision to call was the model's own. Rewinding keeps every
  token before that point and re-tokenises at most the few characters of one
  token, so the KV cache is reused.
* Stop sequences apply to free text only: cutting constrained output would break
  the very guarantee the grammar gives.

Everything is reported as :class:`RawChunk` values; the final one carries usage,
the finish reason and the mean token log-probability.
"""

from __future__ import annotations

import bisect
import codecs
import secrets
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hetero_agents.chat_models._chunks import FinalInfo, RawChunk, ToolCallOut
from hetero_agents.chat_models._grammar import TOOL_CALL_OPEN
from hetero_agents.chat_models._plan import GenerationPlan
from hetero_agents.chat_models._text_gate import GateEvent, TextGate
from hetero_agents.chat_models._tool_scanner import ToolCallScanner
from hetero_agents.errors import ContextWindowExceeded

if TYPE_CHECKING:
    from hetero_agents.chat_models._decode import LlamaDecoder, Step


def new_tool_call_id() -> str:
    """An OpenAI-style id, unique enough to pair calls with their ToolMessages."""
    return f"call_{secrets.token_hex(12)}"


@dataclass(slots=True)
class _Response:
    """The tokens of the response so far, with their byte offsets for rewinding."""

    tokens: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    data: bytearray = field(default_factory=bytearray)
    byte_ends: list[int] = field(default_factory=list)

    def prefill(self, tokens: Sequence[int], text: bytes) -> None:
        """Add tokens the model did not choose (they get no log-probability)."""
        self.tokens.extend(tokens)
        self.data += text
        self.byte_ends.extend([len(self.data)] * len(tokens))

    def add(self, step: Step) -> None:
        self.tokens.append(step.token)
        self.logprobs.append(step.logprob)
        self.data += step.piece
        self.byte_ends.append(len(self.data))

    def rewind(self, byte_index: int, decoder: LlamaDecoder) -> None:
        """Keep exactly the first ``byte_index`` bytes of the response as tokens."""
        data = self.data
        k = bisect.bisect_right(self.byte_ends, byte_index)
        # a kept prefix must end on a character boundary to be re-tokenisable
        while (
            k and self.byte_ends[k - 1] < len(data) and data[self.byte_ends[k - 1]] & 0xC0 == 0x80
        ):
            k -= 1
        start = self.byte_ends[k - 1] if k else 0
        bridge = bytes(data[start:byte_index]).decode("utf-8")
        self.tokens = self.tokens[:k] + (decoder.tokenize(bridge, special=False) if bridge else [])
        self.logprobs = self.logprobs[:k]
        del self.data[byte_index:]
        self.byte_ends = []  # only one rewind per response

    def final(
        self, finish_reason: str, n_prompt: int, model_name: str, pending: str | None = None
    ) -> RawChunk:
        mean = sum(self.logprobs) / len(self.logprobs) if self.logprobs else None
        return RawChunk(
            final=FinalInfo(
                finish_reason=finish_reason,
                input_tokens=n_prompt,
                output_tokens=len(self.tokens),
                mean_logprob=mean,
                model_name=model_name,
                incomplete_tool_call=pending,
            )
        )


def _free_text(
    decoder: LlamaDecoder,
    prompt: Sequence[int],
    plan: GenerationPlan,
    response: _Response,
    *,
    budget: int,
    check: Callable[[], None],
) -> Generator[RawChunk, None, tuple[GateEvent | None, str, str]]:
    """Phase one: unconstrained text, watched for stop sequences and tool calls.

    Returns:
        The event that ended it (if any), the finish reason, and the decoded text.
    """
    watch = plan.output == "tools"
    gate = TextGate(plan.stop, watch_tool_calls=watch)
    utf8 = codecs.getincrementaldecoder("utf-8")("replace")
    event: GateEvent | None = None
    with decoder.sampler(plan.sampling) as sampler:
        steps = decoder.run(prompt, sampler, budget, check)
        with closing(steps):
            for step in steps:
                response.add(step)
                released, event = gate.feed(utf8.decode(step.piece))
                if released:
                    yield RawChunk(text=released)
                if event is not None:
                    return event, "stop", gate.text
        finish = decoder.finish_reason
    released, event = gate.feed(utf8.decode(b"", final=True))
    tail = released + ("" if event is not None else gate.flush())
    if tail:
        yield RawChunk(text=tail)
    return event, ("stop" if event is not None else finish), gate.text


def generate(
    decoder: LlamaDecoder,
    prompt: Sequence[int],
    plan: GenerationPlan,
    model_name: str,
    check: Callable[[], None],
) -> Iterator[RawChunk]:
    """Generate one response to ``prompt`` (token ids) according to ``plan``.

    Raises:
        ContextWindowExceeded: Before any generation, if the prompt does not fit.
    """
    n_ctx = decoder.n_ctx
    if len(prompt) >= n_ctx:
        raise ContextWindowExceeded(len(prompt), n_ctx, model_name)
    budget = n_ctx - len(prompt)
    if plan.max_new_tokens is not None:
        budget = min(budget, plan.max_new_tokens)
    response = _Response()
    mode = plan.tool_mode
    if plan.output == "json":
        grammar = plan.json_grammar
    elif plan.output == "tools" and mode is not None and mode.forces_call:
        grammar = plan.tagged_grammar
        response.prefill(decoder.tokenize(TOOL_CALL_OPEN, special=True), TOOL_CALL_OPEN.encode())
    else:
        event, finish, text = yield from _free_text(
            decoder, prompt, plan, response, budget=budget, check=check
        )
        if event is None or event.kind == "stop":
            yield response.final(finish, len(prompt), model_name)
            return
        if event.kind == "tagged_call":
            keep, grammar = event.index + len(TOOL_CALL_OPEN), plan.tagged_grammar
        else:
            keep, grammar = event.index, plan.bare_grammar
        response.rewind(len(text[:keep].encode("utf-8")), decoder)

    remaining = budget - len(response.tokens)
    prompt2 = [*prompt, *response.tokens]
    if remaining <= 0 or len(prompt2) >= n_ctx:
        pending = "" if plan.output == "tools" else None
        yield response.final("length", len(prompt), model_name, pending)
        return
    scanner = ToolCallScanner() if plan.output == "tools" else None
    n_calls = 0
    utf8 = codecs.getincrementaldecoder("utf-8")("replace")
    with decoder.sampler(plan.constrained_sampling, grammar) as sampler:
        for step in decoder.run(prompt2, sampler, remaining, check):
            response.add(step)
            delta = utf8.decode(step.piece)
            if scanner is None:
                if delta:
                    yield RawChunk(text=delta)
                continue
            for call in scanner.feed(delta):
                yield RawChunk(
                    tool_call=ToolCallOut(n_calls, new_tool_call_id(), call.name, call.args)
                )
                n_calls += 1
        end = decoder.finish_reason
    tail = utf8.decode(b"", final=True)
    if scanner is None and tail:
        yield RawChunk(text=tail)
    pending = None
    if scanner is not None and end == "length" and (scanner.pending or not n_calls):
        pending = scanner.pending or ""  # a call was due or under way when tokens ran out
    reason = "tool_calls" if end == "stop" and n_calls else end
    yield response.final(reason, len(prompt), model_name, pending)
