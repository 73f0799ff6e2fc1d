"""Shared fixtures: the tiny embedded model, located once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    """Path of the verified SmolLM2-135M GGUF (``hetero-agents models pull smollm2-135m``)."""
    override = os.environ.get("HETERO_AGENTS_TEST_GGUF")
    if override:
        return Path(override)
    from hetero_agents.models import model_path

    return model_path("smollm2-135m")
