"""Fixtures of the capture tests: a fresh database path and a logger writing into it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hetero_agents.logs import CallLogger


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "logs.db"


@pytest.fixture
def logger(db_path: Path) -> Iterator[CallLogger]:
    log = CallLogger(db_path)
    yield log
    log.close()
