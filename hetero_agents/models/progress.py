"""How long-running model-file work (hashing, assembling) reports its progress.

The library draws nothing itself: the CLI plugs in a rich progress bar, and a
notebook or service can plug in whatever it uses, or nothing.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ProgressReporter(Protocol):
    """Receives the phases of a long file operation and the bytes done in each."""

    def start(self, description: str, total: int) -> None:
        """A new phase begins (``"verifying smollm2-135m"``) over ``total`` bytes."""
        ...

    def advance(self, n: int) -> None:
        """``n`` more bytes of the current phase are done."""
        ...
