"""Hub downloads through the real huggingface_hub client, against a fake Hub on loopback.

The fake Hub answers the two requests ``hf_hub_download`` makes (HEAD for the
file's metadata, GET for its bytes) and the Hub's error headers, so the whole
client path runs without the internet.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hetero_agents.errors import ModelDownloadError, ModelFileError
from hetero_agents.models.loader import resolve_model

pytest.importorskip("huggingface_hub", reason="Hub loading needs the 'local' extra")

REPO = "someone/tiny-GGUF"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
GGUF = b"GGUF" + bytes(range(256)) * 8
FILES = {"tiny.Q4_0.gguf": GGUF, "notes.txt": b"not a model"}


class FakeHub(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _resolve(self) -> bytes | None:
        prefix = f"/{REPO}/resolve/main/"
        if not self.path.startswith(f"/{REPO}/"):
            self._error("RepoNotFound")
            return None
        name = self.path.removeprefix(prefix)
        if name not in FILES:
            self._error("EntryNotFound")
            return None
        body = FILES[name]
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def _error(self, code: str) -> None:
        self.send_response(404)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._resolve()

    def do_GET(self) -> None:
        body = self._resolve()
        if body is not None:
            self.wfile.write(body)


@pytest.fixture(scope="module")
def hub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_downloads_into_the_hub_cache_then_works_offline(hub, tmp_path):
    resolved = resolve_model(REPO, filename="tiny.Q4_0.gguf", endpoint=hub, cache_dir=tmp_path)
    assert resolved.path.read_bytes() == GGUF
    assert resolved.path.is_relative_to(tmp_path)
    assert resolved.model_name == f"{REPO}/tiny.Q4_0.gguf"
    assert resolved.defaults == {}

    cached = resolve_model(
        REPO, filename="tiny.Q4_0.gguf", cache_dir=tmp_path, local_files_only=True
    )
    assert cached.path.read_bytes() == GGUF


def test_unknown_repo_is_a_clear_error(hub, tmp_path):
    with pytest.raises(ModelDownloadError, match="no such repo on the Hub"):
        resolve_model("nobody/nothing", filename="x.gguf", endpoint=hub, cache_dir=tmp_path)


def test_unknown_file_is_a_clear_error(hub, tmp_path):
    with pytest.raises(ModelDownloadError, match="has no file of that name"):
        resolve_model(REPO, filename="missing.gguf", endpoint=hub, cache_dir=tmp_path)


def test_a_downloaded_file_that_is_not_gguf_is_refused(hub, tmp_path):
    with pytest.raises(ModelFileError, match="not a GGUF file"):
        resolve_model(REPO, filename="notes.txt", endpoint=hub, cache_dir=tmp_path)


def test_offline_without_cache_is_a_clear_error_not_a_traceback(monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelDownloadError, match="Hub is unreachable") as info:
        resolve_model(
            "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
            filename="qwen2.5-0.5b-instruct-q4_k_m.gguf",
            cache_dir=tmp_path,
        )
    assert "catalog model" in str(info.value)


def test_cache_only_lookup_of_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelDownloadError, match="not in the local Hub cache"):
        resolve_model(REPO, filename="tiny.Q4_0.gguf", cache_dir=tmp_path, local_files_only=True)
