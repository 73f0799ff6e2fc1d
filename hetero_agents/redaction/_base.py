"""The redaction contract: what the logger calls, and how JSON values are walked.

The logger depends only on these Protocols, so a team can plug in its own
redactor (Presidio, a cloud DLP service, an in-house scrubber) without
touching the logger; :class:`NoRedaction` is the explicit opt-out.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeAlias, runtime_checkable

#: A JSON-like value as the logger records it: what ``json.dumps`` accepts.
JSONValue: TypeAlias = "dict[str, JSONValue] | list[JSONValue] | str | int | float | bool | None"


@runtime_checkable
class RedactionScope(Protocol):
    """Redacts the texts of one unit of work (one recorded call) consistently.

    Placeholders are numbered per type within the scope: the same email twice
    becomes ``<EMAIL_1>`` both times and a second, different one ``<EMAIL_2>``,
    so a redacted conversation still shows *who* said *what* to *whom*. A scope
    keeps that numbering as state, so use one scope from one thread.
    """

    def redact(self, text: str) -> str:
        """Return ``text`` with every sensitive value replaced by a typed placeholder."""
        ...


@runtime_checkable
class Redactor(Protocol):
    """Makes scopes. The logger opens one scope per recorded call.

    A redactor itself holds no per-call state, so one instance can serve every
    thread of an agent at once.
    """

    def scope(self) -> RedactionScope:
        """Open a fresh scope: numbering starts again at 1 for every type."""
        ...


class _IdentityScope:
    __slots__ = ()

    def redact(self, text: str) -> str:
        return text


_IDENTITY_SCOPE = _IdentityScope()
# Keys longer than this are data, not field names, and give no context.
_LONGEST_CONTEXT_KEY = 64
# Field names that change what their value is taken for: secrets, and numbers that only
# a keyword identifies (bare phone digits, an SSN without dashes). Other keys add nothing.
_CONTEXT_KEY = re.compile(
    r"(?i)pass|pwd|secret|token|key|auth|bearer|phone|tel|mobile|cell|fax|sms|whatsapp"
    r"|ssn|social|contrase|senha|kennwort|wachtwoord|parola|handy|vil|portable"
)
# Integers below this cannot be a phone, card or SSN; skipping them keeps counters cheap.
_SHORTEST_PII_INT = 1_000_000


class NoRedaction:
    """The explicit opt-out: records content exactly as the agent sent it.

    Redaction is on by default; passing ``NoRedaction()`` makes the choice
    to store raw content visible in the code that made it.
    """

    def scope(self) -> RedactionScope:
        """Return a scope that changes nothing."""
        return _IDENTITY_SCOPE

    def __repr__(self) -> str:
        return "NoRedaction()"


def redact_json(value: JSONValue, scope: RedactionScope) -> JSONValue:
    """Return a redacted deep copy of a JSON-like value.

    Every string value, at any depth, goes through ``scope.redact``; dict keys
    are kept as they are (they are field names chosen by code, like
    ``"email"``). Booleans, floats and ``None`` are copied unchanged. Tuples
    become lists, as ``json.dumps`` would write them.

    Two details make tool-call arguments safe, not just prose:

    - A string under a dict key that names a secret or a kind of number
      (``password``, ``api_key``, ``phone``, ``ssn`` …) is redacted *with its key
      in front* (``password: "hunter2"``), so the rules that rely on a keyword
      see it: ``{"password": "hunter2"}`` becomes ``{"password": "<PASSWORD_1>"}``.
    - An integer long enough to be a card or phone number
      (``{"card": 4111111111111111}``) is redacted through its decimal text
      and, if anything was found, becomes the placeholder string: a number
      must not be a way around the redactor.

    Args:
        value: tool-call arguments, a message dump, any JSON-like value.
        scope: the scope of the call the value belongs to, so a value repeated
            in the messages and in the tool arguments gets the same placeholder.
    """
    return _redact_value(value, scope, "")


def _redact_value(value: JSONValue, scope: RedactionScope, key: str) -> JSONValue:
    if isinstance(value, str):
        return _redact_text(value, scope, key)
    if isinstance(value, dict):
        return {name: _redact_value(item, scope, name) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(item, scope, key) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _SHORTEST_PII_INT:
        text = str(value)
        redacted = _redact_text(text, scope, key)
        return value if redacted == text else redacted
    return value


def _redact_text(text: str, scope: RedactionScope, key: str) -> str:
    if (
        key
        and len(key) <= _LONGEST_CONTEXT_KEY
        and _CONTEXT_KEY.search(key)
        and '"' not in text
        and "\n" not in text
    ):
        head = f'{key}: "'
        redacted = scope.redact(f'{head}{text}"')
        if redacted.startswith(head) and redacted.endswith('"'):
            return redacted[len(head) : -1]
    return scope.redact(text)
