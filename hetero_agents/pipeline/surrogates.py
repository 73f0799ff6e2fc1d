"""Consistent surrogates for names and numbers, as the paper suggests for curated data.

Redaction replaces secrets and contact data with placeholders; surrogates go
further and replace *who*, *where* and *how much* with plausible fakes, so a
fine-tuning set keeps the shape of real requests ("book a table for Alex
Smith in Springfield for 4,731") without their people, places or figures.

Within one example the mapping is consistent everywhere it applies: the
messages, the answer's text and the answer's tool-call arguments, so a tool
call still matches its prompt (``"weather in Paris"`` and
``get_weather(city="Paris")`` both become ``Springfield``). Surrogates are
drawn deterministically from a keyed hash of the value and the seed, so the
same data and seed always give the same output.

**The heuristic** (there is no NER model offline, so this is pattern work):

- *Names* are runs of Capitalised words. Leading and trailing words that are
  rarely names (sentence starters, pronouns, days, months, a few languages and
  technologies; see ``_surrogate_words``), words the example also uses in
  lower case, and any tool name, parameter name or enum value are stripped.
  A span is classified from evidence: a title before it (``Dr``, ``Ms``) or a
  greeting makes a person; ``in``/``at``/``near``/``visit`` before it, a
  ``, CA``-style state code after it or a suffix like ``City``/``Street`` makes
  a place; ``Inc``/``Corp``/``LLC`` makes an organisation; a JSON key such as
  ``city``/``location`` or ``name``/``customer`` classifies the string under
  it. A span of two or more words without evidence is taken for a person. A
  *single* word without evidence anywhere in the example is left alone: it is
  as likely a product or a sentence's first word as a name. Once an entity is
  classified, every occurrence of it is replaced, and a person's first or last
  name alone maps to the matching part of their surrogate.
- *Numbers* of three or more digits (ids, amounts, postcodes, years) get the
  same shape with other digits: separators kept, no new leading zero. Shorter
  numbers are counts and parameters ("top 5", "2 rooms") and are kept, and so
  is every number a tool schema mentions or constrains (enums, minimum /
  maximum, patterns), so the arguments still validate.

**Limits, honestly:** lower-case names, names in scripts without case, and
single-word names with no cue are missed; title-case headings ("Quarterly
Sales Report") are taken for names; a place after a cue word that is not a
place ("in Kubernetes") becomes a town; numbers written differently in text
and arguments ("12,000" vs ``12000``) get different surrogates. Use it to
reduce, not to certify, re-identification risk.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hetero_agents.pipeline import _surrogate_words as words
from hetero_agents.pipeline._surrogate_protect import NUMBER, protected_values

_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_SPAN = re.compile(rf"(?<![\w<]){_WORD}(?: {_WORD}){{0,3}}(?![\w>])")
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)[^A-Za-z\n]*$")
_STATE_CODE = re.compile(r", [A-Z]{2}\b")
_MIN_DIGITS = 3
_CONTENT_FIELDS = ("content", "additional_kwargs", "artifact")
_CALL_FIELDS = ("tool_calls", "invalid_tool_calls")
_ARTICLES = frozenset({"the", "a", "an"})


class Surrogates:
    """The surrogate mapping of one example; apply it to every part of the example.

    Building it reads the whole example once (so that evidence found anywhere
    classifies an entity everywhere); :meth:`message` then rewrites messages
    and answers, and can rewrite more answers to the same request later (the
    exact duplicates ``curate`` keeps as alternates) with the same mapping.
    """

    def __init__(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        responses: Iterable[Mapping[str, Any]] = (),
        *,
        seed: int = 0,
    ) -> None:
        """Learn the example's entities and protected values.

        Args:
            messages: The request's stored message dicts.
            tools: The bound tools; their names, parameter names, enum values and
                every number they mention are never replaced.
            responses: The answer(s) to the request, read for evidence too.
            seed: Changes every surrogate; the same seed gives the same ones.
        """
        self._key = seed.to_bytes(16, "little", signed=True)
        self._kinds: dict[str, str] = {}
        self._parts: dict[str, tuple[str, int]] = {}
        self._names: dict[str, str] = {}
        self._numbers: dict[str, str] = {}
        self._taken: set[str] = set()
        self._lower: set[str] = set()
        everything = [*messages, *responses]
        self._protected_words, self._protected_numbers = protected_values(everything, tools or ())
        texts = [(text, key) for message in everything for text, key in _texts(message)]
        for text, _key in texts:
            self._lower.update(_LOWER_WORD.findall(text))
        multi_word: list[str] = []
        for text, key in texts:
            for start, end, span in self._spans(text):
                self._taken.add(span.casefold())
                kind = self._evidence(text, start, end, span, key)
                if kind is not None:
                    self._kinds.setdefault(span.casefold(), kind)
                elif " " in span:
                    multi_word.append(span)
        for span in multi_word:
            self._kinds.setdefault(span.casefold(), "person")
        for span, kind in self._kinds.items():
            parts = span.split(" ")
            if kind == "person" and len(parts) > 1:
                self._parts.setdefault(parts[0], (span, 0))
                self._parts.setdefault(parts[-1], (span, -1))

    # --- applying ---------------------------------------------------------------------------

    def message(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of a stored message dict with names and numbers replaced."""
        data = dict(message.get("data") or {})
        for name in _CONTENT_FIELDS:
            if data.get(name):
                data[name] = self.value(data[name])
        for name in _CALL_FIELDS:
            calls = data.get(name)
            if calls:
                data[name] = [
                    {**call, "args": self.value(call.get("args"))}
                    if isinstance(call, Mapping)
                    else call
                    for call in calls
                ]
        return {**message, "data": data}

    def value(self, value: Any, key: str = "") -> Any:
        """A copy of a JSON value with every string and number replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            digits = str(abs(value))
            mapped = self._number(digits)
            return value if mapped == digits else int(mapped) * (-1 if value < 0 else 1)
        if isinstance(value, float):
            text = repr(abs(value))
            if not math.isfinite(value) or "e" in text:
                return value
            mapped = self._number(text)
            return value if mapped == text else math.copysign(float(mapped), value)
        if isinstance(value, Mapping):
            return {name: self.value(item, name) for name, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item, key) for item in value]
        return value

    def text(self, text: str) -> str:
        """``text`` with known entities and long numbers replaced."""
        parts: list[str] = []
        position = 0
        for start, end, span in self._spans(text):
            replacement = self._replacement(span)
            if replacement is not None:
                parts.append(text[position:start])
                parts.append(replacement)
                position = end
        parts.append(text[position:])
        return NUMBER.sub(lambda match: self._number(match.group(0)), "".join(parts))

    # --- entities ---------------------------------------------------------------------------

    def _spans(self, text: str) -> Iterable[tuple[int, int, str]]:
        for match in _SPAN.finditer(text):
            parts = match.group(0).split(" ")
            start = match.start()
            while parts and (self._common(parts[0]) or parts[0].casefold() in words.TITLES):
                start += len(parts.pop(0)) + 1
            while parts and self._common(parts[-1]):
                parts.pop()
            if parts:
                span = " ".join(parts)
                yield start, start + len(span), span

    def _common(self, word: str) -> bool:
        folded = word.casefold()
        return word in words.NOT_NAMES or folded in self._lower or folded in self._protected_words

    def _evidence(self, text: str, start: int, end: int, span: str, key: str) -> str | None:
        last = span.rsplit(" ", 1)[-1]
        if " " in span and last in words.ORG_SUFFIXES:
            return "org"
        if " " in span and last in words.PLACE_SUFFIXES:
            return "place"
        previous = _previous_word(text, start)
        for cue in (key.casefold(), previous):
            if not cue:
                continue
            if cue in words.TITLES:
                return "surname" if " " not in span else "person"
            if cue in words.PLACE_CUES or any(k in cue for k in words.PLACE_KEYS):
                return "place"
            if cue in words.PERSON_CUES or any(k in cue for k in words.PERSON_KEYS):
                return "person"
        if _STATE_CODE.match(text, end):
            return "place"
        return None

    def _replacement(self, span: str) -> str | None:
        folded = span.casefold()
        kind = self._kinds.get(folded)
        if kind is not None:
            return self._name(folded, kind, span.count(" ") + 1)
        part = self._parts.get(folded) if " " not in span else None
        if part is None:
            return None
        whole, index = part
        return self._name(whole, "person", whole.count(" ") + 1).split(" ")[index]

    def _name(self, folded: str, kind: str, n_words: int) -> str:
        cached = self._names.get(folded)
        if cached is not None:
            return cached
        for attempt in range(1000):
            digest = self._digest(f"{kind}\x00{folded}\x00{attempt}")
            candidate = _draw(kind, n_words, digest)
            if candidate.casefold() not in self._taken:
                break
        self._taken.add(candidate.casefold())
        self._names[folded] = candidate
        return candidate

    # --- numbers ----------------------------------------------------------------------------

    def _number(self, token: str) -> str:
        if sum(c.isdigit() for c in token) < _MIN_DIGITS or token in self._protected_numbers:
            return token
        cached = self._numbers.get(token)
        if cached is not None:
            return cached
        candidate = token
        for attempt in range(1000):
            stream = iter(self._digest(f"number\x00{token}\x00{attempt}") * 4)
            chars = []
            first = True
            for char in token:
                if char.isdigit():
                    byte = next(stream)
                    keep_nonzero = first and char != "0"
                    chars.append(str(1 + byte % 9) if keep_nonzero else str(byte % 10))
                    first = False
                else:
                    chars.append(char)
            candidate = "".join(chars)
            if candidate != token and candidate not in self._taken:
                break
        self._taken.add(candidate)
        self._numbers[token] = candidate
        return candidate

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16, key=self._key).digest()


def apply_surrogates(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    response: Mapping[str, Any],
    *,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], dict[str, Any], Surrogates]:
    """Replace names and numbers in one example's messages and answer, consistently.

    Returns:
        The new messages, the new answer, and the mapping (to apply to more
        answers of the same request).
    """
    mapping = Surrogates(messages, tools, [response], seed=seed)
    return [mapping.message(m) for m in messages], mapping.message(response), mapping


def _texts(message: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """Every string of a message's content and tool-call arguments, with its JSON key."""
    data = message.get("data") or {}
    for name in _CONTENT_FIELDS:
        yield from _strings(data.get(name), "")
    for name in _CALL_FIELDS:
        for call in data.get(name) or ():
            if isinstance(call, Mapping):
                yield from _strings(call.get("args"), "")


def _strings(value: Any, key: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield value, key
    elif isinstance(value, Mapping):
        for name, item in value.items():
            yield from _strings(item, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, key)


def _previous_word(text: str, start: int) -> str:
    """The word before ``start``, lower-cased, skipping one article ("in *the* Hague")."""
    head = text[max(0, start - 40) : start]
    match = _PREVIOUS_WORD.search(head)
    if match is None:
        return ""
    word = match.group(1).casefold()
    if word in _ARTICLES:
        before = _PREVIOUS_WORD.search(head[: match.start()])
        return before.group(1).casefold() if before is not None else word
    return word


def _draw(kind: str, n_words: int, digest: bytes) -> str:
    first = words.FIRST_NAMES[digest[0] % len(words.FIRST_NAMES)]
    last = words.LAST_NAMES[digest[1] % len(words.LAST_NAMES)]
    if kind == "place":
        return words.PLACES[digest[2] % len(words.PLACES)]
    if kind == "org":
        return words.ORGANISATIONS[digest[3] % len(words.ORGANISATIONS)]
    if kind == "surname":
        return last
    return f"{first} {last}" if n_words > 1 else first


__all__ = ["Surrogates", "apply_surrogates"]
