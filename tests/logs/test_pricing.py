"""Cost estimates: longest-prefix model match, user overrides, local models, unknowns."""

from __future__ import annotations

import pytest

from hetero_agents.logs import Price, PriceTable


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", Price(2.50, 10.00)),
        ("gpt-4o-2024-08-06", Price(2.50, 10.00)),
        ("gpt-4o-mini-2024-07-18", Price(0.15, 0.60)),  # the longer prefix wins
        ("openai:gpt-4.1-nano", Price(0.10, 0.40)),
        ("models/gemini-2.5-flash-lite", Price(0.10, 0.40)),
        ("claude-opus-4-5-20251101", Price(5.00, 25.00)),
        ("claude-opus-4-1-20250805", Price(15.00, 75.00)),
        ("o1-2024-12-17", Price(15.00, 60.00)),
        ("GPT-4O", Price(2.50, 10.00)),
    ],
)
def test_default_prices_match_by_longest_prefix(model: str, expected: Price) -> None:
    assert PriceTable().price(model) == expected


@pytest.mark.parametrize("model", ["o1x", "my-finetune", "gpt", ""])
def test_unknown_models_have_no_price_not_a_zero(model: str) -> None:
    table = PriceTable()
    assert table.price(model) is None
    assert table.cost(model, 1000, 1000) is None


def test_local_models_cost_what_you_say() -> None:
    table = PriceTable(local=Price(0.02, 0.02))
    assert table.price("anything", tier="slm") == Price(0.02, 0.02)
    assert table.price("qwen2.5-coder-0.5b", provider="llamacpp") == Price(0.02, 0.02)
    assert table.price("/models/SmolLM2-135M.Q4_1.gguf") == Price(0.02, 0.02)
    assert PriceTable().cost("x", 1_000_000, 0, tier="slm") == 0.0


def test_user_prices_override_and_extend_the_defaults() -> None:
    table = PriceTable({"gpt-4o": Price(1.0, 4.0), "acme-large": Price(3.0, 9.0)})
    assert table.price("gpt-4o-2024-08-06") == Price(1.0, 4.0)
    assert table.price("acme-large-v2") == Price(3.0, 9.0)
    assert table.price("gpt-4o-mini") == Price(0.15, 0.60)
    only_mine = PriceTable({"acme": Price(1, 1)}, include_defaults=False)
    assert only_mine.price("gpt-4o") is None


def test_cost_arithmetic() -> None:
    table = PriceTable()
    assert table.cost("gpt-4o", 1_000_000, 1_000_000) == pytest.approx(12.5)
    assert table.cost("gpt-4o", 2_000, None) == pytest.approx(0.005)
    assert table.cost("gpt-4o", None, None) is None  # no usage reported: unknown, not free
