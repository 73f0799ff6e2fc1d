"""Fetching a GGUF from the Hugging Face Hub, with errors that say what went wrong.

``huggingface_hub`` raises a dozen exception types from deep inside an HTTP
stack; a user who typed a repo id wants one line saying whether the repo, the
file or the network is the problem. Downloads go to the Hub's own cache, so a
file fetched once loads offline afterwards (``local_files_only=True`` or
``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

from pathlib import Path

from hetero_agents._extras import require
from hetero_agents.errors import ModelDownloadError


def download_gguf(
    repo_id: str,
    filename: str,
    *,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    local_files_only: bool = False,
    token: str | bool | None = None,
    endpoint: str | None = None,
) -> Path:
    """Download ``filename`` from ``repo_id`` (or find it in the Hub cache) and return its path.

    Args:
        repo_id: A Hub model repo, ``"owner/name"``.
        filename: The GGUF file inside the repo.
        revision: A branch, tag or commit; the default branch by default.
        cache_dir: The Hub cache to use instead of ``~/.cache/huggingface/hub``.
        local_files_only: Only look in the cache; never touch the network.
        token: A Hub token for private or gated repos.
        endpoint: Another Hub-compatible server (a mirror).

    Raises:
        MissingExtraError: ``huggingface_hub`` is not installed.
        ModelDownloadError: The file could not be had; the message says whether
            the network, the repo, the revision or the file is the problem.
    """
    hub = require("huggingface_hub", "local")
    errors = require("huggingface_hub.errors", "local")
    where = f"{filename!r} from {repo_id!r}" + (f" at revision {revision!r}" if revision else "")
    try:
        path = hub.hf_hub_download(
            repo_id=repo_id,
            filename=filename,
            revision=revision,
            cache_dir=cache_dir,
            local_files_only=local_files_only,
            token=token,
            endpoint=endpoint,
        )
    except errors.LocalEntryNotFoundError as exc:
        raise ModelDownloadError(
            f"cannot download {where}: the Hugging Face Hub is unreachable (offline, or "
            "HF_HUB_OFFLINE is set) and the file is not in the local Hub cache. Connect to "
            "the internet, or use a catalog model (hetero-agents models list) or a local "
            ".gguf path."
        ) from exc
    except errors.GatedRepoError as exc:
        raise ModelDownloadError(
            f"cannot download {where}: the repo is gated. Accept its terms on the Hub and "
            "pass token= (or log in with `hf auth login`)."
        ) from exc
    except errors.RepositoryNotFoundError as exc:
        raise ModelDownloadError(
            f"cannot download {where}: no such repo on the Hub, or it is private "
            "(then pass token=)."
        ) from exc
    except errors.RevisionNotFoundError as exc:
        raise ModelDownloadError(
            f"cannot download {where}: the repo has no such revision."
        ) from exc
    except errors.EntryNotFoundError as exc:
        raise ModelDownloadError(
            f"cannot download {where}: the repo has no file of that name. Check the exact "
            "GGUF file name on the repo's 'Files' page."
        ) from exc
    except errors.HFValidationError as exc:
        raise ModelDownloadError(f"cannot download {where}: {exc}") from exc
    except (errors.HfHubHTTPError, OSError) as exc:  # other HTTP statuses, disk, network
        raise ModelDownloadError(f"cannot download {where}: {exc}") from exc
    return Path(path)
