"""Skip re-scanning text the redactor already found clean.

An agent resends its whole conversation on every call: the system prompt, the
user's question and the tool results of turn one are redacted again on turn
two, three, ten. A text in which the redactor found nothing would come out the
same in any scope (there was nothing to number), so remembering clean texts is
exact, and it turns the cost of a long conversation from quadratic into
linear. Python caches a string's hash on the object and LangChain reuses the
same message objects, so a repeat costs one set lookup.
"""

from __future__ import annotations

from hetero_agents.redaction import RedactionScope

_MIN_LENGTH = 32  # shorter texts are cheaper to scan than to remember
_MAX_LENGTH = 256 * 1024
_MAX_TEXTS = 4096


class CleanTexts:
    """A bounded set of texts known to contain nothing to redact."""

    def __init__(self, limit: int = _MAX_TEXTS) -> None:
        """Remember at most ``limit`` texts (then start over: cheap, and rare)."""
        self._texts: set[str] = set()
        self._limit = limit

    def wrap(self, scope: RedactionScope) -> RedactionScope:
        """A scope that consults and feeds this cache around ``scope``."""
        return _RememberingScope(scope, self)

    def __contains__(self, text: str) -> bool:
        return text in self._texts

    def add(self, text: str) -> None:
        """Remember ``text`` as clean."""
        texts = self._texts
        if len(texts) >= self._limit:
            texts.clear()
        texts.add(text)


class _RememberingScope:
    __slots__ = ("_clean", "_inner")

    def __init__(self, inner: RedactionScope, clean: CleanTexts) -> None:
        self._inner = inner
        self._clean = clean

    def redact(self, text: str) -> str:
        if not _MIN_LENGTH <= len(text) <= _MAX_LENGTH:
            return self._inner.redact(text)
        if text in self._clean:
            return text
        redacted = self._inner.redact(text)
        if redacted == text:
            self._clean.add(text)
        return redacted
