"""Lazy imports of optional dependencies, with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``extra``.

    Heavy dependencies (llama.cpp, torch, peft) are imported only when a feature
    needs them, so ``import hetero_agents`` stays fast and works without them.
    """
    from hetero_agents.errors import MissingExtraError

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".", maxsplit=1)[0]
        if exc.name is not None and exc.name.split(".", maxsplit=1)[0] != top:
            raise  # the module exists but one of *its* imports is broken: show that
        raise MissingExtraError(module, extra) from exc
