"""Plain data describing how to generate one response (no heavy imports).

Kept apart from the modules that drive llama.cpp so that building a plan, and
importing :class:`~hetero_agents.chat_models.ChatLlamaCpp`, needs neither numpy nor
llama-cpp-python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hetero_agents.chat_models._tool_choice import ToolMode


@dataclass(frozen=True, slots=True)
class SamplingParams:
    """How to pick tokens. ``temperature <= 0`` means greedy (deterministic).

    ``dry_multiplier`` enables llama.cpp's DRY repetition penalty (0 disables it):
    it stops the verbatim loops ("a cat is a cat is a cat ...") that small models
    fall into at temperature 0, which under a grammar would otherwise never close a
    string and so never yield valid JSON.
    """

    temperature: float = 0.0
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    dry_multiplier: float = 0.0
    seed: int | None = None

    @property
    def is_plain_greedy(self) -> bool:
        """Greedy with no penalties: the argmax of the raw logits, no chain needed."""
        return self.temperature <= 0 and self.repeat_penalty == 1.0 and self.dry_multiplier == 0


@dataclass(frozen=True, slots=True)
class GenerationPlan:
    """Everything one response needs besides the prompt.

    Attributes:
        max_new_tokens: Response budget; ``None`` means until the context is full.
        stop: Stop sequences (free text only).
        sampling: Sampling for free text.
        constrained_sampling: Sampling under a grammar.
        output: ``text`` (no tools), ``json`` (structured output), or ``tools``.
        json_grammar: Grammar for ``json`` output.
        tool_mode: The normalised tool choice for ``tools`` output.
        tagged_grammar: Grammar for ``<tool_call>`` blocks.
        bare_grammar: Grammar for one bare call object (``auto`` only).
    """

    max_new_tokens: int | None
    sampling: SamplingParams
    constrained_sampling: SamplingParams
    stop: tuple[str, ...] = ()
    output: Literal["text", "json", "tools"] = "text"
    json_grammar: str | None = None
    tool_mode: ToolMode | None = None
    tagged_grammar: str | None = None
    bare_grammar: str | None = None
