"""Importing the chat model is cheap: llama.cpp and numpy load only with a model."""

from __future__ import annotations

import subprocess
import sys


def test_import_loads_neither_llama_cpp_nor_numpy() -> None:
    code = (
        "import sys\n"
        "from hetero_agents.chat_models import ChatLlamaCpp\n"
        "heavy = [m for m in ('llama_cpp', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
