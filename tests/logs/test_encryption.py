"""Encryption at rest: content is ciphertext on disk, readable only with the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from capture_fakes import ScriptedChatModel
from langchain_core.messages import AIMessage

from hetero_agents.errors import LogStoreError
from hetero_agents.logs import CallLogger, ContentCipher, LogStore

QUESTION = "what is the warranty on the blue kettle"
ANSWER = "two years on the blue kettle"


@pytest.fixture
def key() -> str:
    return ContentCipher.generate_key()


def _record(db: Path, key: str | list[str]) -> None:
    model = ScriptedChatModel(respond=lambda _m: AIMessage(ANSWER))
    with CallLogger(db, encryption_key=key) as logger:
        model.invoke(QUESTION, {"callbacks": [logger], "metadata": {"langgraph_node": "faq"}})


def _raw(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def test_content_is_ciphertext_on_disk_and_plain_with_the_key(db_path: Path, key: str) -> None:
    _record(db_path, key)
    raw = _raw(db_path)
    assert b"blue kettle" not in raw
    assert key.encode() not in raw  # the key itself never lands in the database
    with LogStore(db_path, encryption_key=key) as store:
        (prompt, encrypted, node) = store.db.execute(
            "SELECT prompt, encrypted, node FROM calls"
        ).fetchone()
        assert prompt.startswith("gAAAA")
        assert encrypted == 1
        assert node == "faq"
        call = next(store.calls())
        assert (call.prompt, call.response) == (QUESTION, ANSWER)
        assert call.to_messages()[0].content == QUESTION
        # Ciphertext is kept out of the search index.
        assert store.count(search="kettle") == 0
        assert store.db.execute("SELECT count(*) FROM calls_fts_docsize").fetchone() == (0,)


def test_without_the_key_metadata_reads_and_content_is_withheld(db_path: Path, key: str) -> None:
    _record(db_path, key)
    with LogStore(db_path) as store:
        call = next(store.calls())
        assert call.encrypted
        assert call.prompt is None
        assert call.messages is None
        assert call.node == "faq"
        assert store.stats().total.calls == 1
        with pytest.raises(LogStoreError, match=r"encrypted.*encryption_key"):
            store.export_openai(db_path.parent / "out.jsonl")


def test_a_wrong_key_is_refused_and_keys_rotate(db_path: Path, key: str) -> None:
    _record(db_path, key)
    other = ContentCipher.generate_key()
    with pytest.raises(LogStoreError, match="does not match"):
        LogStore(db_path, encryption_key=other)
    _record(db_path, [other, key])  # new key first, old key still decrypts
    with LogStore(db_path, encryption_key=[other, key]) as store:
        assert [c.response for c in store.calls()] == [ANSWER, ANSWER]


def test_an_invalid_key_says_how_to_make_one(db_path: Path) -> None:
    with pytest.raises(LogStoreError, match="keygen"):
        LogStore(db_path, encryption_key="not-a-key")
