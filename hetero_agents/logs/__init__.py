"""S1 capture: record every model call and tool run of an agent, securely and cheaply.

- :class:`CallLogger` — the LangChain callback handler (and :func:`capture`, to
  attach it to every call in a ``with`` block);
- :class:`LogStore` — the log database: schema, migrations, queries, exports;
- redaction (``DefaultRedactor``, ``NoRedaction``) runs before anything is queued.

Names are imported lazily, so ``import hetero_agents.capture`` does not load
LangChain; the CLI's ``logs`` commands only pay for the store.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "CallFilters": "hetero_agents.capture._query",
    "CallLogger": "hetero_agents.capture.logger",
    "CallRecord": "hetero_agents.capture.records",
    "CaptureStats": "hetero_agents.capture._stats",
    "CaptureWarning": "hetero_agents.capture._health",
    "ContentCipher": "hetero_agents.capture._crypto",
    "DefaultRedactor": "hetero_agents.capture.redaction",
    "GroupStats": "hetero_agents.capture._stats",
    "HealthCount": "hetero_agents.capture._stats",
    "LogStore": "hetero_agents.capture.store",
    "NoRedaction": "hetero_agents.capture.redaction",
    "Price": "hetero_agents.capture.pricing",
    "PriceTable": "hetero_agents.capture.pricing",
    "PurgeResult": "hetero_agents.capture.store",
    "RedactionScope": "hetero_agents.capture.redaction",
    "ShadowAgreement": "hetero_agents.capture._stats",
    "ShadowRecord": "hetero_agents.capture.records",
    "Redactor": "hetero_agents.capture.redaction",
    "ToolRecord": "hetero_agents.capture.records",
    "capture": "hetero_agents.capture.logger",
    "default_db_path": "hetero_agents.capture._paths",
}

__all__ = [
    "CallFilters",
    "CallLogger",
    "CallRecord",
    "CaptureStats",
    "CaptureWarning",
    "ContentCipher",
    "DefaultRedactor",
    "GroupStats",
    "HealthCount",
    "LogStore",
    "NoRedaction",
    "Price",
    "PriceTable",
    "PurgeResult",
    "RedactionScope",
    "Redactor",
    "ShadowAgreement",
    "ShadowRecord",
    "ToolRecord",
    "capture",
    "default_db_path",
]

if TYPE_CHECKING:
    from hetero_agents.capture._crypto import ContentCipher
    from hetero_agents.capture._health import CaptureWarning
    from hetero_agents.capture._paths import default_db_path
    from hetero_agents.capture._query import CallFilters
    from hetero_agents.capture._stats import (
        CaptureStats,
        GroupStats,
        HealthCount,
        ShadowAgreement,
    )
    from hetero_agents.capture.logger import CallLogger, capture
    from hetero_agents.capture.pricing import Price, PriceTable
    from hetero_agents.capture.records import CallRecord, ShadowRecord, ToolRecord
    from hetero_agents.capture.redaction import (
        DefaultRedactor,
        NoRedaction,
        RedactionScope,
        Redactor,
    )
    from hetero_agents.capture.store import LogStore, PurgeResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hetero_agents.capture' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _CallableModule(types.ModuleType):
    """Lets ``hetero_agents.capture(...)`` work even when it resolves to this package.

    The public top-level name ``hetero_agents.capture`` is the :func:`capture`
    context manager, but importing any module of this package makes Python set
    the attribute ``hetero_agents.capture`` to the package itself. Calling the
    package therefore does what calling the function does, so
    ``from hetero_agents import CallLogger, capture`` works in any import order.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from hetero_agents.capture.logger import capture

        return capture(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
