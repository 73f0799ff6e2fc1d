"""Estimated cost of a call: USD per million input and output tokens, by model name.

The defaults are the providers' published list prices for common hosted models
(standard tier, no batch or cache discounts, as listed in 2025). They are an
estimate for reports, not a bill: override them with your negotiated prices.

Local models (the SLM tier, llama.cpp, Ollama) cost what you say they cost:
``local`` defaults to zero, so a report can show savings as "LLM price avoided",
or set it to your amortised hardware cost to show the net saving. A model with
no known price gets ``None``, never a made-up zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final


@dataclass(frozen=True, slots=True)
class Price:
    """USD per one million tokens."""

    input: float
    output: float

    def cost(self, input_tokens: int | None, output_tokens: int | None) -> float:
        """The USD cost of the given token counts (a missing count counts as 0)."""
        return ((input_tokens or 0) * self.input + (output_tokens or 0) * self.output) / 1e6


FREE: Final = Price(0.0, 0.0)

# Model-name prefixes (lower case, without provider prefix) -> list price.
# The longest matching prefix wins, so "gpt-4o-mini-2024-07-18" is gpt-4o-mini.
DEFAULT_PRICES: Final[Mapping[str, Price]] = {
    # OpenAI
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
    # Anthropic
    "claude-opus-4": Price(15.00, 75.00),
    "claude-opus-4-5": Price(5.00, 25.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-haiku-4-5": Price(1.00, 5.00),
    "claude-3-7-sonnet": Price(3.00, 15.00),
    "claude-3-5-sonnet": Price(3.00, 15.00),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-3-opus": Price(15.00, 75.00),
    "claude-3-haiku": Price(0.25, 1.25),
    # Google
    "gemini-2.5-pro": Price(1.25, 10.00),
    "gemini-2.5-flash": Price(0.30, 2.50),
    "gemini-2.5-flash-lite": Price(0.10, 0.40),
    "gemini-2.0-flash": Price(0.10, 0.40),
    "gemini-1.5-pro": Price(1.25, 5.00),
    "gemini-1.5-flash": Price(0.075, 0.30),
    # DeepSeek
    "deepseek-chat": Price(0.27, 1.10),
    "deepseek-reasoner": Price(0.55, 2.19),
}

# ``ls_provider`` values (LangChain's metadata) of models that run on your own hardware.
LOCAL_PROVIDERS: Final = frozenset(
    {"llamacpp", "llama-cpp", "llama_cpp", "llama.cpp", "ollama", "hetero-llamacpp", "local"}
)


class PriceTable:
    """Looks up a :class:`Price` for a model name; user entries override the defaults."""

    def __init__(
        self,
        prices: Mapping[str, Price] | None = None,
        *,
        local: Price = FREE,
        include_defaults: bool = True,
    ) -> None:
        """Build a table.

        Args:
            prices: Model name (or name prefix) -> price; merged over the defaults.
            local: The price of calls served on your own hardware: the ``slm`` tier,
                a local provider, or a ``.gguf`` model path.
            include_defaults: Start from :data:`DEFAULT_PRICES` (set ``False`` to
                price only what you list).
        """
        table = dict(DEFAULT_PRICES) if include_defaults else {}
        table.update({_normalise(name): price for name, price in (prices or {}).items()})
        self._prices = table
        self.local = local
        # Longest first, so the first prefix that matches is the most specific one.
        self._prefixes = sorted(table, key=len, reverse=True)
        self._lookup = lru_cache(maxsize=1024)(self._find)

    def price(
        self, model: str | None, *, provider: str | None = None, tier: str | None = None
    ) -> Price | None:
        """The price of a call, or ``None`` when the model is unknown."""
        if tier == "slm" or (provider is not None and provider.lower() in LOCAL_PROVIDERS):
            return self.local
        if not model:
            return None
        return self._lookup(model)

    def cost(
        self,
        model: str | None,
        input_tokens: int | None,
        output_tokens: int | None,
        *,
        provider: str | None = None,
        tier: str | None = None,
    ) -> float | None:
        """Estimated USD cost of one call, or ``None`` when the price or the usage is unknown."""
        if input_tokens is None and output_tokens is None:
            return None
        price = self.price(model, provider=provider, tier=tier)
        return None if price is None else price.cost(input_tokens, output_tokens)

    def _find(self, model: str) -> Price | None:
        if model.lower().endswith(".gguf"):
            return self.local
        name = _normalise(model)
        candidates = [name]
        if ":" in name:  # "openai:gpt-4o", as init_chat_model spells it
            candidates.append(name.split(":", 1)[1])
        for candidate in candidates:
            exact = self._prices.get(candidate)
            if exact is not None:
                return exact
            for prefix in self._prefixes:
                if candidate.startswith(prefix) and _boundary(candidate, len(prefix)):
                    return self._prices[prefix]
        return None


def _normalise(model: str) -> str:
    """``"models/gemini-2.5-pro"`` -> ``"gemini-2.5-pro"``: names compare lower-case, unpathed."""
    return model.strip().lower().rsplit("/", 1)[-1]


def _boundary(name: str, end: int) -> bool:
    """A prefix must end at a word break: "o1" prices "o1-2024-12-17" but not "o1x"."""
    return end == len(name) or not name[end].isalnum()
