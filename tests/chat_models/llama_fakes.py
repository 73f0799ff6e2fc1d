"""A stand-in for ``llama_cpp.Llama`` where no generation happens.

Construction, ``bind_tools``, ``with_structured_output`` and metadata never touch
the model, so unit tests of those paths use this instead of loading weights.
"""

from __future__ import annotations

from typing import Any


class InertLlama:
    """Has the attributes ChatLlamaCpp reads at construction; generating is an error."""

    model_path = "/models/inert-test-model.gguf"

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata if metadata is not None else {"general.name": "Inert Test Model"}

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a unit test reached the model ({name!r}); it must not generate")
