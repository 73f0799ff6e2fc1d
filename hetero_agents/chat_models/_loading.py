"""Loading a GGUF into ``llama_cpp.Llama`` with errors a user can act on.

llama.cpp reports a missing, truncated or foreign file as a bare
``ValueError("Failed to load model from file")`` after printing C++ logs, or, for a
file that is not GGUF at all, sometimes worse. The file is therefore checked first
(exists, readable, starts with the ``GGUF`` magic bytes) and any failure of the
loader itself is re-raised as :class:`~hetero_agents.errors.ModelFileError` naming
the path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hetero_agents._extras import require
from hetero_agents.errors import ModelFileError

GGUF_MAGIC = b"GGUF"


def check_gguf(path: str | Path, what: str = "model file") -> Path:
    """Check that ``path`` is a readable file that starts like a GGUF.

    Returns:
        The path, resolved.

    Raises:
        ModelFileError: The file is missing, unreadable, or not GGUF.
    """
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise ModelFileError(resolved, f"{what} not found (expected a .gguf file)")
    try:
        with resolved.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as exc:
        raise ModelFileError(resolved, f"{what} cannot be read ({exc.strerror})") from exc
    if magic != GGUF_MAGIC:
        raise ModelFileError(
            resolved,
            f"{what} is not a GGUF file (it starts with {magic!r}, not {GGUF_MAGIC!r}); "
            "convert it with llama.cpp's convert_hf_to_gguf.py or download a .gguf",
        )
    return resolved.resolve()


def load_llama(
    model_path: str | Path,
    *,
    n_ctx: int,
    n_threads: int | None,
    n_batch: int,
    n_gpu_layers: int,
    seed: int | None,
    lora_path: str | Path | None,
    lora_scale: float,
    extra: dict[str, Any],
) -> Any:
    """Load ``model_path`` (and an optional LoRA adapter) into a ``llama_cpp.Llama``.

    Raises:
        MissingExtraError: llama-cpp-python is not installed.
        ModelFileError: The model or adapter file is missing, corrupt or unsupported.
    """
    llama_cpp = require("llama_cpp", "local")
    path = check_gguf(model_path)
    lora = str(check_gguf(lora_path, "LoRA adapter")) if lora_path is not None else None
    kwargs: dict[str, Any] = {
        "n_ctx": n_ctx,
        "n_threads": n_threads,
        "n_threads_batch": n_threads,
        "n_batch": n_batch,
        "n_gpu_layers": n_gpu_layers,
        "lora_path": lora,
        "lora_scale": lora_scale,
        "verbose": False,
        **extra,
    }
    if seed is not None:
        kwargs["seed"] = seed
    try:
        return llama_cpp.Llama(model_path=str(path), **kwargs)
    except (ValueError, RuntimeError, OSError) as exc:
        culprit = lora if lora is not None and "LoRA" in str(exc) else path
        raise ModelFileError(
            culprit,
            "llama.cpp could not load this file (truncated download, or an architecture "
            f"this llama-cpp-python build does not support): {exc}",
        ) from exc
