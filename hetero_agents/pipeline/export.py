"""S5 ``export``: each cluster's examples as fine-tuning datasets, for teams that train elsewhere.

Layout of ``out_dir`` (every format optional)::

    manifest.json              split, formats, and per cluster: id, label, examples, files
    openai/cluster-<id>.jsonl  OpenAI chat fine-tuning lines (tools, assistant tool_calls)
    sharegpt/cluster-<id>.json ShareGPT conversations (LLaMA-Factory tool-use flavour)
    hf/                        a ``datasets.DatasetDict`` (``load_from_disk``), one split
                               per cluster named ``cluster_<id>``

The answers are the LLM's (distillation data); the requests were scrubbed by S2.
The export is atomic: everything is written into a temporary sibling folder and
renamed into place only when complete, so an interrupted export leaves the
previous ``out_dir`` (if any) untouched and no half-written dataset behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from hetero_agents._extras import require
from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._export_formats import hf_features, hf_row, openai_line, sharegpt_record

if TYPE_CHECKING:
    from hetero_agents.pipeline.records import Cluster, Clustering, Example, Split

ExportFormat = Literal["openai", "hf", "sharegpt"]
FORMATS: tuple[ExportFormat, ...] = ("openai", "hf", "sharegpt")

_Groups = list[tuple["Cluster", list["Example"]]]


def export(
    examples: Sequence[Example],
    clustering: Clustering,
    out_dir: str | Path,
    *,
    formats: Sequence[ExportFormat] = FORMATS,
    split: Split | Literal["all"] = "train",
) -> dict[str, Path]:
    """Write per-cluster fine-tuning datasets into ``out_dir`` (replaced only on success).

    Args:
        examples: Curated examples (S2).
        clustering: Their clusters (S3); examples in no cluster are left out.
        out_dir: The folder to create or replace.
        formats: Any of ``"openai"``, ``"hf"``, ``"sharegpt"``.
        split: Which examples: ``"train"`` (default; keep ``"eval"`` held out),
            ``"eval"``, or ``"all"``.

    Returns:
        Each written format's folder, by format name.

    Raises:
        PipelineError: An unknown format or split, or no examples of ``split`` in
            any cluster (nothing worth writing).
        MissingExtraError: ``"hf"`` without the ``datasets`` package (extra ``pipeline``).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise PipelineError(f"formats must be among {list(FORMATS)}, not {list(formats)}")
    if split not in ("train", "eval", "all"):
        raise PipelineError(f"split must be 'train', 'eval' or 'all', not {split!r}")
    if "hf" in formats:
        require("datasets", "pipeline")  # fail before writing anything
    groups = _groups(examples, clustering, split)
    if not any(members for _, members in groups):
        raise PipelineError(
            f"no {split!r} examples in any cluster: nothing to export (run `curate` and "
            "`cluster` on a log with more calls, or choose another split)"
        )
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise PipelineError(f"{target} exists and is not a folder: choose another out_dir")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        files: dict[int, dict[str, str]] = defaultdict(dict)
        for name in formats:
            _WRITERS[name](staging / name, groups, files)
        _write_manifest(staging, groups, files, formats, split)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {name: target / name for name in formats}


def _groups(examples: Sequence[Example], clustering: Clustering, split: str) -> _Groups:
    ordered = sorted(examples, key=lambda e: e.call_id)
    by_cluster = clustering.group(ordered, split=None if split == "all" else cast("Split", split))
    return [(cluster, by_cluster.get(cluster.id, [])) for cluster in clustering.clusters]


def _write_openai(folder: Path, groups: _Groups, files: dict[int, dict[str, str]]) -> None:
    folder.mkdir()
    for cluster, members in groups:
        if not members:
            continue
        path = folder / f"cluster-{cluster.id}.jsonl"
        with path.open("w", encoding="utf-8") as fp:
            for example in members:
                fp.write(json.dumps(openai_line(example), ensure_ascii=False) + "\n")
        files[cluster.id]["openai"] = f"openai/{path.name}"


def _write_sharegpt(folder: Path, groups: _Groups, files: dict[int, dict[str, str]]) -> None:
    folder.mkdir()
    for cluster, members in groups:
        if not members:
            continue
        path = folder / f"cluster-{cluster.id}.json"
        records = [sharegpt_record(example) for example in members]
        path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
        files[cluster.id]["sharegpt"] = f"sharegpt/{path.name}"


def _write_hf(folder: Path, groups: _Groups, files: dict[int, dict[str, str]]) -> None:
    datasets = require("datasets", "pipeline")
    features = hf_features()
    splits = {
        f"cluster_{cluster.id}": datasets.Dataset.from_list(
            [hf_row(example, cluster.id, cluster.label) for example in members],
            features=features,
        )
        for cluster, members in groups
        if members
    }
    datasets.DatasetDict(splits).save_to_disk(str(folder))
    for cluster, members in groups:
        if members:
            files[cluster.id]["hf"] = f"hf[cluster_{cluster.id}]"


_WRITERS: dict[str, Callable[[Path, _Groups, dict[int, dict[str, str]]], None]] = {
    "openai": _write_openai,
    "hf": _write_hf,
    "sharegpt": _write_sharegpt,
}


def _write_manifest(
    folder: Path,
    groups: _Groups,
    files: dict[int, dict[str, str]],
    formats: Sequence[str],
    split: str,
) -> None:
    manifest: dict[str, Any] = {
        "split": split,
        "formats": list(formats),
        "clusters": [
            {
                "id": cluster.id,
                "label": cluster.label,
                "examples": len(members),
                "files": files.get(cluster.id, {}),
            }
            for cluster, members in groups
        ],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    (folder / "manifest.json").write_text(text, encoding="utf-8")


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is removed only after."""
    if not target.exists():
        staging.rename(target)
        return
    backup = target.with_name(f".{target.name}.old-{staging.name.rsplit('.', 1)[-1]}")
    target.rename(backup)
    try:
        staging.rename(target)
    except BaseException:
        backup.rename(target)
        raise
    shutil.rmtree(backup, ignore_errors=True)


__all__ = ["FORMATS", "ExportFormat", "export"]
