"""The real catalog entries, from the carrier packages installed in this environment."""

from __future__ import annotations

import pytest

from hetero_agents.models import model_path
from hetero_agents.models.carriers import InstalledCarriers, missing_parts
from hetero_agents.models.catalog import get_entry
from hetero_agents.models.store import ModelStatus, ModelStore


@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("HETERO_AGENTS_HOME", str(tmp_path))
    return tmp_path / "models"


def test_smollm2_is_verified_in_place_and_then_trusted_by_its_stamp(home):
    entry = get_entry("smollm2-135m")
    path = model_path("smollm2-135m")
    assert path.name == entry.filename
    assert path.stat().st_size == entry.size
    stamp = home / f"{entry.filename}.verified.json"
    written = stamp.stat().st_mtime_ns

    assert model_path("smollm2-135m") == path
    assert stamp.stat().st_mtime_ns == written  # no second hash, no new stamp
    assert ModelStore().status(entry) is ModelStatus.READY


@pytest.mark.slow
def test_qwen_0_5b_assembles_from_its_six_carriers(home):
    entry = get_entry("qwen2.5-coder-0.5b")
    missing = missing_parts(entry, InstalledCarriers())
    if missing:
        pytest.skip(f"carriers of {entry.name} not installed: {entry.install_command(missing)}")

    path = model_path(entry.name)

    assert path == home / entry.filename
    assert path.stat().st_size == entry.size
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"
    assert ModelStore().verify(entry).ok
    assert sorted(p.name for p in home.iterdir()) == [
        entry.filename,
        f"{entry.filename}.verified.json",
    ]
