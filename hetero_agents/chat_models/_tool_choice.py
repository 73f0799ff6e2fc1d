"""What the caller asked for with ``tool_choice``, normalised once.

LangChain callers spell the same intent several ways (``"any"`` and ``"required"``,
a bare tool name, OpenAI's ``{"type": "function", "function": {"name": ...}}``).
Everything downstream — prompt rendering, grammar building, parsing — works on one
small immutable :class:`ToolMode` instead, so that the spelling is handled in
exactly one place and an unknown value fails loudly before any tokens are spent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

ToolModeKind = Literal["auto", "required", "none", "named"]

_ALIASES: dict[str, ToolModeKind] = {
    "auto": "auto",
    "any": "required",
    "required": "required",
    "none": "none",
}


@dataclass(frozen=True, slots=True)
class ToolMode:
    """Normalised tool choice.

    Attributes:
        kind: ``auto`` (the model may answer in text or call tools), ``required``
            (at least one call to any bound tool), ``none`` (plain text, tools are
            not even shown to the model), or ``named`` (a call to ``name`` only).
        name: The tool that ``named`` forces; ``None`` for the other kinds.
    """

    kind: ToolModeKind
    name: str | None = None

    @property
    def forces_call(self) -> bool:
        """Whether the output must be tool calls (the grammar applies from token one)."""
        return self.kind in ("required", "named")

    def allowed_tools(self, tool_names: Sequence[str]) -> tuple[str, ...]:
        """The tool names a constrained call may use under this mode."""
        if self.kind == "named":
            return (self.name,) if self.name is not None else ()
        if self.kind == "none":
            return ()
        return tuple(tool_names)


def _allowed_values(tool_names: Sequence[str]) -> str:
    names = ", ".join(repr(n) for n in tool_names) or "no tools are bound"
    return (
        "'auto', 'any', 'required', 'none', the name of a bound tool "
        f"({names}), or {{'type': 'function', 'function': {{'name': <tool name>}}}}"
    )


def normalize_tool_choice(choice: Any, tool_names: Sequence[str]) -> ToolMode:
    """Turn any accepted spelling of ``tool_choice`` into a :class:`ToolMode`.

    Args:
        choice: ``None`` (same as ``"auto"``), ``"auto"``, ``"any"``/``"required"``,
            ``"none"``, a bound tool's name, or an OpenAI-style function dict.
        tool_names: Names of the bound tools, used to validate named choices.

    Returns:
        The normalised mode.

    Raises:
        ValueError: ``choice`` is not one of the accepted values, or names a tool
            that is not bound; the message lists what is allowed.
    """
    if choice is None:
        return ToolMode("auto")
    name: str | None = None
    if isinstance(choice, str):
        kind = _ALIASES.get(choice)
        if kind is not None:
            return ToolMode(kind)
        name = choice
    elif isinstance(choice, dict):
        function = choice.get("function")
        if choice.get("type") == "function" and isinstance(function, dict):
            candidate = function.get("name")
            name = candidate if isinstance(candidate, str) else None
    if name is None:
        raise ValueError(f"unsupported tool_choice {choice!r}. Use {_allowed_values(tool_names)}.")
    if name not in tool_names:
        raise ValueError(
            f"tool_choice names {name!r}, which is not a bound tool. "
            f"Use {_allowed_values(tool_names)}."
        )
    return ToolMode("named", name)


def tool_choice_payload(mode: ToolMode) -> str | dict[str, Any]:
    """The canonical, JSON-serialisable spelling of ``mode`` to store in bound kwargs.

    Kept OpenAI-shaped so that loggers and tracers that read invocation params see a
    familiar value.
    """
    if mode.kind == "named":
        return {"type": "function", "function": {"name": mode.name}}
    return "any" if mode.kind == "required" else mode.kind
