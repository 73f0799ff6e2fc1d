"""Optional encryption at rest of the content columns (extra ``crypto``).

Redaction removes the PII we can recognise; encryption protects the rest of
what was said (prompts, answers, tool arguments) if the database file leaves
the machine. Each content value is a Fernet token (AES-128-CBC + HMAC-SHA256,
from ``cryptography``). Metadata stays in clear so that ``logs stats`` and
filters work without the key. The key is never written to the database: the
store keeps only a token of a fixed text, to tell a wrong key from a right one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hetero_agents._extras import require
from hetero_agents.errors import LogStoreError

Key = str | bytes
_CHECK_TEXT = "hetero-agents log key check"


class ContentCipher:
    """Encrypts and decrypts content values with one or more Fernet keys.

    Several keys allow rotation: the first encrypts, all of them decrypt.
    """

    def __init__(self, keys: Key | Sequence[Key]) -> None:
        """Build the cipher.

        Args:
            keys: A url-safe base64 32-byte Fernet key (from :meth:`generate_key`),
                or a list of them, newest first.

        Raises:
            MissingExtraError: ``cryptography`` is not installed.
            LogStoreError: A key is not a valid Fernet key.
        """
        fernet = require("cryptography.fernet", "crypto")
        key_list = [keys] if isinstance(keys, str | bytes) else list(keys)
        if not key_list:
            raise LogStoreError(
                "encryption_key is empty: pass a key from ContentCipher.generate_key()"
            )
        try:
            ciphers = [fernet.Fernet(key) for key in key_list]
        except (ValueError, TypeError) as exc:
            raise LogStoreError(
                "the log encryption key is not a valid Fernet key (32 url-safe base64 bytes). "
                "Create one with `hetero-agents logs keygen` and keep it out of the database."
            ) from exc
        self._fernet: Any = fernet.MultiFernet(ciphers)
        self._invalid_token: type[Exception] = fernet.InvalidToken

    @staticmethod
    def generate_key() -> str:
        """A new random key, as text to keep in a secret store or environment variable."""
        fernet = require("cryptography.fernet", "crypto")
        key: bytes = fernet.Fernet.generate_key()
        return key.decode("ascii")

    def encrypt(self, text: str) -> str:
        """The Fernet token of ``text``, as ASCII text for a TEXT column."""
        token: bytes = self._fernet.encrypt(text.encode("utf-8"))
        return token.decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of a token made by :meth:`encrypt` with one of this cipher's keys.

        Raises:
            LogStoreError: The token was made with another key, or was altered.
        """
        try:
            plain: bytes = self._fernet.decrypt(token.encode("ascii"))
        except self._invalid_token as exc:
            raise LogStoreError(
                "cannot decrypt the log content: the encryption key does not match the one "
                "these rows were written with (or the data was altered)."
            ) from exc
        return plain.decode("utf-8")

    def check_token(self) -> str:
        """A token the store keeps to recognise this key later without storing it."""
        return self.encrypt(_CHECK_TEXT)

    def matches(self, check_token: str) -> bool:
        """Whether a token from :meth:`check_token` was made with one of these keys."""
        try:
            return self.decrypt(check_token) == _CHECK_TEXT
        except LogStoreError:
            return False
