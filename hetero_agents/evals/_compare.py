"""Value comparison with BFCL's leniency: the small rules both matchers share.

BFCL forgives differences that do not change a call's meaning (``5`` for
``5.0``; ``"New York, NY"`` for ``"new york ny"``) and nothing else. Python's
own ``==`` is both too strict (strings) and too loose (``True == 1``), so the
comparison is spelled out here, type by type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# BFCL ignores spaces and these punctuation marks, case, and the quote style.
_IGNORED = re.compile(r"[ ,./\-_*^]")


def standardize_string(text: str) -> str:
    """BFCL's string normalisation: drop spaces and ``,./-_*^``, lowercase, ``'`` → ``"``.

    It keeps a model from being punished for ``"April 1, 2024"`` against
    ``"April 1 2024"``, while ``"April 2"`` still differs.
    """
    return _IGNORED.sub("", text).lower().replace("'", '"')


def is_number(value: Any) -> bool:
    """True for ints and floats but not bools (which Python counts as ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def values_equal(left: Any, right: Any, *, lenient_strings: bool = True) -> bool:
    """Compare two JSON-like values: numbers numerically, sequences and mappings element-wise.

    Booleans equal only booleans, strings only strings (BFCL-normalised unless
    ``lenient_strings`` is false), and lists equal tuples with the same items.
    """
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) or is_number(right):
        return is_number(left) and is_number(right) and left == right
    if isinstance(left, str) or isinstance(right, str):
        if not (isinstance(left, str) and isinstance(right, str)):
            return False
        if lenient_strings:
            return standardize_string(left) == standardize_string(right)
        return left == right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(
            values_equal(a, b, lenient_strings=lenient_strings)
            for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(
            values_equal(left[k], right[k], lenient_strings=lenient_strings) for k in left
        )
    return bool(left == right)


def has_json_type(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether ``value`` has the schema's JSON type, looking into array items.

    An int passes for ``number`` (BFCL: "int is accepted for float"); a bool
    never passes for a number. Objects are not descended into: their values are
    checked by the value comparison, which is type-aware.
    """
    expected = schema.get("type")
    if expected is None:
        return True
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return is_number(value)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "object":
        return isinstance(value, Mapping)
    if expected == "array":
        if not isinstance(value, list | tuple):
            return False
        items = schema.get("items")
        return not isinstance(items, Mapping) or all(has_json_type(v, items) for v in value)
    if expected == "null":
        return value is None
    return False
