"""The public surface is a contract: exactly these names, importable, and a fast import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import hetero_agents

PUBLIC = {
    "CallLogger",
    "CascadePolicy",
    "ChatLlamaCpp",
    "ChatRouter",
    "ClusterPolicy",
    "DefaultRedactor",
    "LogStore",
    "Redactor",
    "RouterArtifact",
    "RulePolicy",
    "ShadowPolicy",
    "__version__",
    "capture",
    "hetero_node",
    "load_model",
    "slm_tool",
}


def test_all_is_exactly_the_public_set() -> None:
    assert set(hetero_agents.__all__) == PUBLIC
    assert hetero_agents.__all__ == sorted(hetero_agents.__all__)


def test_every_public_name_resolves() -> None:
    for name in PUBLIC:
        assert getattr(hetero_agents, name) is not None, name


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        hetero_agents.NoSuchThing  # noqa: B018


def test_import_is_fast_and_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import hetero_agents; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('llama_cpp', 'torch', 'langchain_core', 'sentence_transformers',"
        " 'transformers', 'sqlite_utils') if m in sys.modules]; print(dt, heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    seconds, heavy = float(out[0]), out[1].strip()
    assert heavy == "[]", heavy
    assert seconds < 0.5, seconds


def test_missing_extra_names_the_install(monkeypatch) -> None:
    from hetero_agents._extras import require
    from hetero_agents.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "definitely_not_installed_pkg", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'hetero-agents\[local\]'"):
        require("definitely_not_installed_pkg", "local")
