"""Rules for e-mail and IP addresses.

Both are anchored by a character nearly every other text lacks (``@``, ``:``
runs) or, for IPv4, found among the runs of digits the number family scans.
"""

from __future__ import annotations

import re

from hetero_agents.redaction._locators import Probe, at_needles, merge
from hetero_agents.redaction._rules import Family, Rule, Windows
from hetero_agents.redaction._validators import ipv6_valid

_X = re.VERBOSE

# --- email ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"""
    [\w%+\-][\w.%+\-]{0,63}                      # local part
    @
    (?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+         # domain labels
    [^\W\d_]{2,24}(?![\w\-])                     # top-level domain: letters only
    """,
    _X,
)
# "logo@2x.png" and "user@host.js" are file names, not addresses.
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "ts", "py", "json"}
)


def _locate_email(match: re.Match[str]) -> tuple[int, int] | None:
    text = match.string
    start, end = match.span()
    scheme = text.rfind("://", max(0, start - 256), start)
    if scheme >= 0 and not any(c.isspace() or c == "/" for c in text[scheme + 3 : start]):
        return None  # https://user@host, scheme://user:pw@host: a URL authority, no address

    if text.startswith(":", end) and end + 1 < len(text) and not text[end + 1].isspace():
        return None  # git@github.com:owner/repo.git, an SSH remote
    if text[text.rindex(".", start, end) + 1 : end].lower() in _FILE_EXTENSIONS:
        return None
    return start, end


EMAIL_RULES = (Rule("EMAIL", _EMAIL, locate=_locate_email),)

# --- IP addresses ---------------------------------------------------------------------------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?!\w|\.[0-9])")
_VERSION_BEFORE = re.compile(r"(?i)(?<![a-z])(?:version|ver\.?|v|release|build|firmware|fw)[ :=]*$")
_IPV6 = re.compile(
    r"""
    (?<![\w:.%])
    (?:[0-9A-Fa-f]{0,4}:){2,7}
    (?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?  # ::ffff:192.0.2.1, or the last group
    (?:%[0-9A-Za-z_.\-]+)?                           # zone id, fe80::1%eth0
    """,
    _X,
)


def _locate_ipv6(match: re.Match[str]) -> tuple[int, int] | None:
    start, end = match.span()
    value = match.group()
    if ipv6_valid(value):
        return start, end
    if value.endswith(":") and not value.endswith("::") and ipv6_valid(value[:-1]):
        return start, end - 1  # "fe80::1: link up" — the colon is punctuation
    return None


IP_RULES = (
    Rule("IP", _IPV4, reject_before=_VERSION_BEFORE),
    Rule("IP", _IPV6, locate=_locate_ipv6),
)

# --- families (where to look) -----------------------------------------------------------

# "::" or a full ":hex:hex:" stretch is where an IPv6 address can be; the pattern
# starts with a literal ":", which the regex engine finds as fast as str.find.
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{1,4}:|::")


def _ipv6_windows(probe: Probe) -> Windows:
    text = probe.text
    if "::" not in text and text.count(":") < 7:
        return []
    return merge([(max(0, m.start() - 40), m.end() + 40) for m in _IPV6_HINT.finditer(text)])


EMAIL_FAMILY = Family(
    "email", EMAIL_RULES, needs=("@",), starts=at_needles(("@",), back_over="._%+-")
)
IPV6_FAMILY = Family("ipv6", IP_RULES[1:], needs=(":",), windows=_ipv6_windows)
