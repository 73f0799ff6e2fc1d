"""S1 capture: record every model call and tool run of an agent, securely and cheaply.

- :class:`CallLogger` — the LangChain callback handler (and :func:`capture`, to
  attach it to every call in a ``with`` block);
- :class:`LogStore` — the log database: schema, migrations, queries, exports;
- redaction (:mod:`hetero_agents.redaction`) runs before anything is queued.

Names are imported lazily, so ``import hetero_agents.logs`` does not load
LangChain; the CLI's ``logs`` commands only pay for the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "CallFilters": "hetero_agents.logs._query",
    "CallLogger": "hetero_agents.logs.logger",
    "CallRecord": "hetero_agents.logs.records",
    "CaptureStats": "hetero_agents.logs._stats",
    "CaptureWarning": "hetero_agents.logs._health",
    "ContentCipher": "hetero_agents.logs._crypto",
    "DefaultRedactor": "hetero_agents.redaction",
    "GroupStats": "hetero_agents.logs._stats",
    "HealthCount": "hetero_agents.logs._stats",
    "LogStore": "hetero_agents.logs.store",
    "NoRedaction": "hetero_agents.redaction",
    "Price": "hetero_agents.logs.pricing",
    "PriceTable": "hetero_agents.logs.pricing",
    "PurgeResult": "hetero_agents.logs.store",
    "RedactionScope": "hetero_agents.redaction",
    "ShadowAgreement": "hetero_agents.logs._stats",
    "ShadowRecord": "hetero_agents.logs.records",
    "Redactor": "hetero_agents.redaction",
    "ToolRecord": "hetero_agents.logs.records",
    "capture": "hetero_agents.logs.logger",
    "default_db_path": "hetero_agents.logs._paths",
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
    from hetero_agents.logs._crypto import ContentCipher
    from hetero_agents.logs._health import CaptureWarning
    from hetero_agents.logs._paths import default_db_path
    from hetero_agents.logs._query import CallFilters
    from hetero_agents.logs._stats import (
        CaptureStats,
        GroupStats,
        HealthCount,
        ShadowAgreement,
    )
    from hetero_agents.logs.logger import CallLogger, capture
    from hetero_agents.logs.pricing import Price, PriceTable
    from hetero_agents.logs.records import CallRecord, ShadowRecord, ToolRecord
    from hetero_agents.logs.store import LogStore, PurgeResult
    from hetero_agents.redaction import (
        DefaultRedactor,
        NoRedaction,
        RedactionScope,
        Redactor,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hetero_agents.logs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
