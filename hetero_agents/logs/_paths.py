"""Where the log database lives, and creating it owner-only before SQLite touches it.

SQLite creates a missing file with the process umask (often world-readable),
and its ``-wal`` / ``-shm`` side files copy the main file's permissions. So the
file is created here first, mode 0600, inside a directory created 0700; SQLite
then opens an existing private file and its side files inherit that mode.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from hetero_agents.errors import LogStoreError

ENV_DB = "HETERO_AGENTS_LOGS_DB"
_log = logging.getLogger("hetero_agents.logs")


def default_db_path() -> Path:
    """``$HETERO_AGENTS_LOGS_DB`` if set, else ``logs.db`` in the user data directory."""
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("hetero-agents", appauthor=False)) / "logs.db"


def prepare_private_file(path: Path) -> Path:
    """Create ``path`` (and missing parents) owner-only if it does not exist yet.

    An existing file is left as it is, but a warning is logged when other users
    can read it, because it may hold prompts and answers.

    Raises:
        LogStoreError: The file or its directory cannot be created.
    """
    path = path.expanduser()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            _log.warning(
                "log database %s is readable by other users (mode %o); run: chmod 600 %s",
                path,
                mode,
                path,
            )
        return path
    except OSError as exc:
        raise LogStoreError(f"cannot create the log database {path}: {exc}") from exc
    os.close(fd)
    return path
