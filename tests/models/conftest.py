"""Fakes for the catalog's own logic: a multi-part model in tmp_path and a fake source."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hetero_agents.models import assembly, integrity
from hetero_agents.models.catalog import CarrierPart, CatalogEntry
from hetero_agents.models.store import ModelStore


class FakeSource:
    """A CarrierSource over files in a folder; records which parts were asked for."""

    def __init__(self, files: dict[CarrierPart, Path]) -> None:
        self.files = dict(files)
        self.located: list[str] = []

    def locate(self, part: CarrierPart) -> Path | None:
        self.located.append(part.distribution)
        return self.files.get(part)


@dataclass
class FakeModel:
    entry: CatalogEntry
    source: FakeSource
    blob: bytes
    home: Path
    removed: dict[CarrierPart, Path] = field(default_factory=dict)

    def store(self) -> ModelStore:
        return ModelStore(home=self.home, source=self.source)

    def uninstall(self, index: int) -> CarrierPart:
        part = self.entry.parts[index]
        self.removed[part] = self.source.files.pop(part)
        return part

    def reinstall_all(self) -> None:
        self.source.files.update(self.removed)
        self.removed.clear()

    @property
    def final(self) -> Path:
        return self.home / self.entry.filename


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in 4 KiB chunks so that small fakes still cross chunk and part boundaries."""
    monkeypatch.setattr(assembly, "CHUNK_SIZE", 4096)
    monkeypatch.setattr(integrity, "CHUNK_SIZE", 4096)


def make_parts(root: Path, blob: bytes, sizes: list[int], stem: str) -> dict[CarrierPart, Path]:
    assert sum(sizes) == len(blob)
    files: dict[CarrierPart, Path] = {}
    offset = 0
    for k, size in enumerate(sizes, start=1):
        part = CarrierPart(f"{stem}-part{k}", "1.0", f"{stem}_part{k}/data/part{k:02d}.bin")
        path = root / part.path
        path.parent.mkdir(parents=True)
        path.write_bytes(blob[offset : offset + size])
        files[part] = path
        offset += size
    return files


@pytest.fixture
def fake_model(tmp_path: Path) -> FakeModel:
    """A three-part model (parts of unequal, unaligned sizes) and an empty models folder."""
    blob = b"GGUF" + random.Random(1234).randbytes(30_000)
    files = make_parts(tmp_path / "site-packages", blob, [10_001, 4_096, 15_907], "fake")
    entry = CatalogEntry(
        name="fake-3part",
        model="Fake model",
        license="MIT",
        filename="fake-3part.gguf",
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        parts=tuple(files),
        defaults={"n_ctx": 1024},
    )
    return FakeModel(entry, FakeSource(files), blob, tmp_path / "home" / "models")


@pytest.fixture
def fake_single(tmp_path: Path) -> FakeModel:
    """A single-part model, used in place from its (fake) carrier."""
    blob = b"GGUF" + random.Random(99).randbytes(9_000)
    files = make_parts(tmp_path / "site-packages", blob, [len(blob)], "solo")
    entry = CatalogEntry(
        name="fake-solo",
        model="Fake single-file model",
        license="MIT",
        filename="fake-solo.gguf",
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        parts=tuple(files),
    )
    return FakeModel(entry, FakeSource(files), blob, tmp_path / "home" / "models")
