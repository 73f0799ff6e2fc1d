"""The capture package's public names, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import hetero_agents.logs as capture_pkg

PUBLIC = {
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
}


def test_all_is_exactly_the_public_set_and_resolves() -> None:
    assert set(capture_pkg.__all__) == PUBLIC
    assert capture_pkg.__all__ == sorted(capture_pkg.__all__)
    for name in PUBLIC:
        assert getattr(capture_pkg, name) is not None, name


def test_top_level_capture_works_in_any_import_order(tmp_path: Path) -> None:
    # The public ``capture`` is the context manager whatever was imported before it.
    code = (
        "import sys; from hetero_agents import CallLogger, capture\n"
        f"with capture({str(tmp_path / 'a.db')!r}) as logger:\n"
        "    assert isinstance(logger, CallLogger)\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
    import hetero_agents

    assert hetero_agents.CallLogger is capture_pkg.CallLogger
    assert hetero_agents.LogStore is capture_pkg.LogStore
    assert hetero_agents.capture is capture_pkg.capture


def test_reading_logs_does_not_load_langchain() -> None:
    code = (
        "import sys; from hetero_agents.logs import LogStore; "
        "print('langchain_core' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
