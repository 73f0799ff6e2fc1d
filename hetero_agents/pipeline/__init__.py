"""The paper's LLM-to-SLM conversion algorithm (S2-S6) over what ``CallLogger`` recorded.

Each stage is a plain function over typed records (:mod:`.records`):

=========  ==========================================  =====================
stage      function                                    CLI
=========  ==========================================  =====================
S2         :func:`curate`                              ``hetero-agents curate``
S3         :func:`cluster`, :func:`update_clustering`  ``hetero-agents cluster``
S5         :func:`finetune`, :func:`export`            ``finetune``, ``export``
S4         :func:`select`                              ``hetero-agents select``
S6         :func:`route`                               ``hetero-agents route``
report     :func:`write_report`                        ``hetero-agents report``
all        :func:`convert`                             ``hetero-agents convert``
=========  ==========================================  =====================

:class:`PipelineStore` keeps every stage's results in the log database, and
:mod:`.stages` runs a stage against it (what the CLI does). Names are imported
lazily: the stages pull in numpy, scikit-learn, torch and transformers only
when they are used. The stage functions share their module's name, so they are
imported from it (``from hetero_agents.pipeline.convert import convert``): a package
attribute of the same name would hide the module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hetero_agents.pipeline.cluster import update_clustering
    from hetero_agents.pipeline.convert import ConvertResult
    from hetero_agents.pipeline.curate import CurateResult
    from hetero_agents.pipeline.fewshot import FewShotChatModel
    from hetero_agents.pipeline.finetune import LoraResult
    from hetero_agents.pipeline.records import (
        CandidateScore,
        Cluster,
        Clustering,
        DriftFlag,
        Example,
        Selection,
    )
    from hetero_agents.pipeline.report import build_report_data, write_report
    from hetero_agents.pipeline.select import SelectResult
    from hetero_agents.pipeline.store import PipelineStore

_EXPORTS: dict[str, str] = {
    "CandidateScore": "records",
    "Cluster": "records",
    "Clustering": "records",
    "ConvertResult": "convert",
    "CurateResult": "curate",
    "DriftFlag": "records",
    "Example": "records",
    "FewShotChatModel": "fewshot",
    "LoraResult": "finetune",
    "PipelineStore": "store",
    "SelectResult": "select",
    "Selection": "records",
    "build_report_data": "report",
    "update_clustering": "cluster",
    "write_report": "report",
}

__all__ = [
    "CandidateScore",
    "Cluster",
    "Clustering",
    "ConvertResult",
    "CurateResult",
    "DriftFlag",
    "Example",
    "FewShotChatModel",
    "LoraResult",
    "PipelineStore",
    "SelectResult",
    "Selection",
    "build_report_data",
    "update_clustering",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
