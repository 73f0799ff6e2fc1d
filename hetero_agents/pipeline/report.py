"""The conversion report: what moved to SLMs, at what quality, and what it saves.

Two outputs from the same records and the same arithmetic:

* :func:`render_html` / :func:`write_report` - one self-contained HTML file that
  opens offline with no JavaScript: a map of the clusters, per-cluster SLM
  agreement with the chosen tier, the cost/quality curve with the chosen
  operating point, calls / tokens / cost / latency moved, drift flags, and the
  demo's LLM-only vs routed table when there is one.
* :func:`print_summary` - a short rich table for the terminal.

Typical use::

    data = report_data_from_store(PipelineStore(LogStore("logs.db")))
    print_summary(data)
    write_report(data, Path("report.html"))

The renderer never reads the database: :class:`ReportData` holds plain records,
so a report can be built from any stage outputs (or synthetic ones).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from hetero_agents.errors import PipelineError
from hetero_agents.pipeline._report_data import (
    DEFAULT_TITLE,
    Comparison,
    ReportData,
    RunFigures,
    build_report_data,
)
from hetero_agents.pipeline._report_figures import (
    ClusterRow,
    CurvePoint,
    ReportFigures,
    Savings,
    report_figures,
)
from hetero_agents.pipeline._report_html import render_html
from hetero_agents.pipeline._report_summary import comparison_table, print_summary

if TYPE_CHECKING:
    from hetero_agents.pipeline.store import PipelineStore


def write_report(data: ReportData, path: Path | str) -> Path:
    """Render ``data`` and write it to ``path`` atomically; returns the resolved path.

    The page is written to a temporary file in the same directory and renamed
    over ``path``, so a reader (or an interrupted run) never sees half a
    report. Missing parent directories are created.

    Raises:
        PipelineError: When the file cannot be written (the message names the path).
    """
    target = Path(path).expanduser().resolve()
    page = render_html(data).encode("utf-8")
    tmp_name: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(page)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp's 0600 would hide the report from other readers
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise PipelineError(
            f"could not write the report to {target}: {exc.strerror or exc}; "
            "choose a writable path (e.g. `--out ./report.html`)"
        ) from exc
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
    return target


def report_data_from_store(
    store: PipelineStore,
    *,
    comparison: Comparison | None = None,
    title: str = DEFAULT_TITLE,
    slm_usd_per_mtok: float = 0.0,
) -> ReportData:
    """Gather the latest clustering, scores, selections, examples and drift from ``store``.

    Raises:
        PipelineError: When the latest runs do not belong together (see
            :func:`build_report_data`).
    """
    return build_report_data(
        store.clustering(),
        scores=store.scores(),
        selections=store.selections(),
        examples=store.examples(),
        drift=store.drift(),
        comparison=comparison,
        title=title,
        slm_usd_per_mtok=slm_usd_per_mtok,
    )


__all__ = [
    "ClusterRow",
    "Comparison",
    "CurvePoint",
    "ReportData",
    "ReportFigures",
    "RunFigures",
    "Savings",
    "build_report_data",
    "comparison_table",
    "print_summary",
    "render_html",
    "report_data_from_store",
    "report_figures",
    "write_report",
]
