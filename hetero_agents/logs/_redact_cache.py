"""Skip re-scanning text the redactor already found clean.

An agent resends its whole conversation on every call: the system prompt, the
user's question and the tool results of turn one are redacted again on turn
two, three, ten. A text in which the redactor found nothing would come out the
same in any scope (there was nothing to number), so remembering clean texts is
exact, and it turns the cost of a long conversation from quadratic into
linear. Python caches a string's hash on the object and LangChain reuses the
same message objects, so a repeat costs one set lookup.

The redactor's own scope is opened only when a text is not known clean: a
call whose every text was seen before costs no scope at all. Within a call, a
text that did need redacting is redacted once: asked again (the snapshot checks
a message's texts before copying them), the scope gives the same answer.
"""

from __future__ import annotations

from hetero_agents.redaction import RedactionScope, Redactor

_MIN_LENGTH = 8  # shorter texts are cheaper to scan than to remember
_MAX_LENGTH = 256 * 1024
_MAX_TEXTS = 4096


class CleanTexts:
    """A bounded set of texts known to contain nothing to redact."""

    def __init__(self, limit: int = _MAX_TEXTS) -> None:
        """Remember at most ``limit`` texts (then start over: cheap, and rare)."""
        self.texts: set[str] = set()  # read directly by the scopes: the hot path
        self._limit = limit

    def scope(self, redactor: Redactor) -> RememberingScope:
        """A scope of ``redactor`` that consults and feeds this cache.

        ``redactor.scope()`` is called at the first text not known clean (so any
        error it raises comes from ``redact``), and at most once.
        """
        return RememberingScope(redactor, self)

    def __contains__(self, text: str) -> bool:
        return text in self.texts

    def add(self, text: str) -> None:
        """Remember ``text`` as clean."""
        texts = self.texts
        if len(texts) >= self._limit:
            texts.clear()
        texts.add(text)


class RememberingScope:
    """One call's redaction scope: the redactor's own, opened late, behind the clean-text cache."""

    __slots__ = ("_changed", "_clean", "_inner", "_redactor")

    def __init__(self, redactor: Redactor, clean: CleanTexts) -> None:
        self._redactor = redactor
        self._inner: RedactionScope | None = None
        self._clean = clean
        self._changed: dict[str, str] | None = None  # this call's texts that had PII

    def redact(self, text: str) -> str:
        remember = _MIN_LENGTH <= len(text) <= _MAX_LENGTH
        if remember and text in self._clean.texts:
            return text
        changed = self._changed
        if changed is not None and text in changed:
            return changed[text]
        inner = self._inner
        if inner is None:
            inner = self._inner = self._redactor.scope()
        redacted = inner.redact(text)
        if redacted != text:
            if changed is None:
                changed = self._changed = {}
            changed[text] = redacted
        elif remember:
            self._clean.add(text)
        return redacted

    def release(self) -> None:
        """Forget this call's texts and their placeholders, once nothing more is redacted.

        Both hold what was redacted, in the clear: the recorder calls this before
        a draft is queued, so they never wait in the queue with it.
        """
        self._inner = None
        self._changed = None
