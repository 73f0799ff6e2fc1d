"""A static distillation of the bundled all-MiniLM-L6-v2: routing texts embedded in about 1 ms.

Why: MiniLM's forward pass costs 10-20 ms per text on two cores. That is most
of a routing decision and 99 % of clustering 100k calls. A *static* embedding
model (the idea of model2vec, served by sentence-transformers' own
``StaticEmbedding`` module) gives every vocabulary token the vector MiniLM
gives that token alone, reduced by PCA; a text's vector is the mean of its
tokens' vectors. Word order and context are lost, which routing barely
needs: an agent's tasks differ in their system prompts, tool names and
vocabulary. On the known-task workload it separates the tasks as well as
MiniLM does (ARI 1.000, also with one prompt shared by every agent), at
about a hundredth of the cost (``benchmarks/RESULTS.md``).

The model is built once, offline, from the bundled MiniLM weights (about
15 s on two cores) into ``$HETERO_AGENTS_HOME/embedders/<name>``: written to a
temporary folder, then renamed into place, so a crash never leaves half a
model. The sha256 of its weights, recorded at build time, is checked on every
load; a mismatch rebuilds it. The folder is an ordinary sentence-transformers
model, loadable with ``SentenceTransformer(path)`` elsewhere.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from hetero_agents._extras import require
from hetero_agents.errors import ModelFileError
from hetero_agents.models.integrity import sha256_file

logger = logging.getLogger(__name__)

STATIC_MINILM_NAME = "hetero-agents/all-MiniLM-L6-v2-static-256"
"""The static model's name, as recorded in router artifacts."""

DIMS = 256
"""Vector size after PCA: MiniLM's 384 dimensions keep > 95 % of their variance in 256."""

_BATCH = 2048
_MANIFEST = "hetero-agents.json"
_FORMAT = 1


def embedders_home() -> Path:
    """The folder for built embedding models (next to ``models/``; cache, rebuildable)."""
    from hetero_agents.models.store import models_home

    return models_home().parent / "embedders"


def static_minilm_path(home: Path | None = None) -> Path:
    """The static model's folder, built from the bundled MiniLM first if needed.

    Args:
        home: Where built embedders live; :func:`embedders_home` by default.

    Raises:
        MissingExtraError: The ``pipeline`` extra (torch, sentence-transformers,
            scikit-learn, the bundled MiniLM) is not installed.
        ModelFileError: The folder cannot be written.
    """
    folder = (home or embedders_home()) / STATIC_MINILM_NAME.rsplit("/", maxsplit=1)[-1]
    if _verified(folder):
        return folder
    if folder.exists():
        logger.warning("%s failed its sha256 check or is incomplete; rebuilding it", folder)
    build_static_minilm(folder)
    return folder


def build_static_minilm(folder: Path) -> None:
    """Distil the bundled MiniLM into a static model at ``folder`` (atomically)."""
    st = require("sentence_transformers", "pipeline")
    from hetero_agents.routing.embedders import bundled_minilm_path

    source = st.SentenceTransformer(str(bundled_minilm_path()), device="cpu", local_files_only=True)
    tokenizer = source.tokenizer
    weights = _token_vectors(source, tokenizer)
    modules = require("sentence_transformers.models", "pipeline")
    static = modules.StaticEmbedding(tokenizer.backend_tokenizer, embedding_weights=weights)
    model = st.SentenceTransformer(modules=[static], device="cpu")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise ModelFileError(
            folder, f"cannot write the static embedder ({exc}); set HETERO_AGENTS_HOME"
        ) from exc
    try:
        model.save(str(staging))
        manifest = {
            "format": _FORMAT,
            "name": STATIC_MINILM_NAME,
            "source": "sentence-transformers/all-MiniLM-L6-v2 (bundled)",
            "dims": DIMS,
            "weights": {
                str(path.relative_to(staging)): sha256_file(path) for path in _model_files(staging)
            },
        }
        (staging / _MANIFEST).write_text(json.dumps(manifest, indent=2))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _token_vectors(source: Any, tokenizer: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Every vocabulary token's MiniLM sentence embedding, reduced to :data:`DIMS` by PCA.

    Each token is embedded as the one-token sentence ``[CLS] token [SEP]`` and
    mean-pooled like MiniLM pools real sentences, so a token's static vector
    is what MiniLM says about that token alone.
    """
    torch = require("torch", "pipeline")
    decomposition = require("sklearn.decomposition", "pipeline")
    from hetero_agents.pipeline._progress import progress_bar

    transformer = source[0].auto_model.eval()
    size = tokenizer.vocab_size
    vectors = np.empty((size, transformer.config.hidden_size), dtype=np.float32)
    with (
        progress_bar("distilling the static embedder", size, enabled=True) as bar,
        torch.inference_mode(),
    ):
        for start in range(0, size, _BATCH):
            ids = torch.arange(start, min(size, start + _BATCH))
            cls = torch.full_like(ids, tokenizer.cls_token_id)
            sep = torch.full_like(ids, tokenizer.sep_token_id)
            batch = torch.stack([cls, ids, sep], dim=1)
            hidden = transformer(input_ids=batch, attention_mask=torch.ones_like(batch))
            vectors[start : start + len(ids)] = hidden.last_hidden_state.mean(dim=1).float().numpy()
            bar.advance(len(ids))
    pca = decomposition.PCA(n_components=DIMS, svd_solver="full")
    reduced: np.ndarray[Any, np.dtype[np.float32]] = np.ascontiguousarray(
        pca.fit_transform(vectors), dtype=np.float32
    )
    return reduced


def _verified(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / _MANIFEST).read_text())
        expected: dict[str, str] = manifest["weights"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if manifest.get("format") != _FORMAT or not expected:
        return False
    return all(
        (folder / name).is_file() and sha256_file(folder / name) == digest
        for name, digest in expected.items()
    )


def _model_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".json"}
    )
