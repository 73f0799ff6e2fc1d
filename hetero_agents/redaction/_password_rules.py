"""Rules for passwords: in URLs, in ``password`` fields, in HTTP basic credentials.

A password has no format of its own, so every rule here is anchored by what
introduces it (``scheme://user:``, ``password=``, ``Authorization: Basic``,
``curl -u user:``), and filters out what merely *stands for* a password:
masks, templates, type names and prose ("password: reset via the link").
"""

from __future__ import annotations

import re

from hetero_agents.redaction._rules import CONTEXT, Rule

_X = re.VERBOSE

# scheme://user:PASSWORD@host — only the password is replaced; the host stays visible
# (an IP host is redacted by the IP rule), and the e-mail rule ignores "PASSWORD@host".
_URL_PASSWORD = re.compile(
    r"""
    (?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}://
    [^\s:/?#@"'<>]*:
    (?P<value>[^\s/?#"'<>]+)
    @[^\s/?#@"'<>:]+
    """,
    _X,
)
_PASSWORD_FIELD = re.compile(
    r"""
    (?i:(?:[a-z0-9]+[_\-])*(?:pg)?
        (?:password|passwd|passwort|passphrase|pass|pwd|passe|contrase[nñ]a|senha|kennwort|
           wachtwoord|parola))
    ["']?[ \t]*[:=][ \t]*
    (?:"(?P<dq>[^"\n]{1,128})"|'(?P<sq>[^'\n]{1,128})'
      |(?P<bare>(?!\$\{)[^\s"',;<>{}()\[\]]{1,128}))
    """,
    _X,
)
# curl -u user:PASSWORD, wget --user=name:PASSWORD
_USER_OPTION = re.compile(r"(?:-u|--user)[ =][\"']?[^\s:\"']+:(?P<value>[^\s\"']+)")
_BASIC_AUTH = re.compile(
    r"(?i:(?:[a-z0-9]+-)?authorization)[\"']?\s*[:=]\s*[\"']?(?i:basic)\s+"
    r"(?P<value>[A-Za-z0-9+/]{8,}={0,2})"
)
# Values that stand for a password without being one: masks, templates, types, prose.
_NOT_A_PASSWORD = re.compile(
    r"""(?ix)
    \*+ | •+ | x{3,} | \.{3,} | <[^>]*> | \$\{[^}]*\} | \{\{.*\}\} | (?-i:\$[A-Z_][A-Z0-9_]*)
    | %\(?\w*\)?s
    | \[?redacted\]? | null | none | nil | true | false | undefined | str | string | bytes
    | secretstr | optional | required | hidden | reset | changed | expired | invalid
    | incorrect | updated | forgotten | your[_\-]?password | password | \?+
    """
)
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")


def _locate_password_field(match: re.Match[str]) -> tuple[int, int] | None:
    for name in ("dq", "sq", "bare"):
        start, end = match.span(name)
        if start >= 0:
            break
    value = match.string[start:end]
    if _NOT_A_PASSWORD.fullmatch(value.strip()):
        return None
    if name == "bare":
        text = match.string
        if _DOTTED_NAME.fullmatch(value) or text.startswith("(", end):
            return None  # password=settings.db_password, password=getpass()
        if ":" in match.group()[: start - match.start()] and value.isalpha() and value.islower():
            return None  # prose: "password: visit the account page"
        if match.start() > 0 and text[match.start() - 1] in "?&" and "&" in value:
            end = start + value.index("&")  # a URL query: ?password=x&user=y
        elif value.endswith(".") and len(value) > 1:
            end -= 1  # the full stop of a sentence
    return start, end


def _url_password_valid(value: str) -> bool:
    return not _NOT_A_PASSWORD.fullmatch(value)


PASSWORD_RULES = (
    Rule(
        "PASSWORD",
        _URL_PASSWORD,
        group="value",
        validate=_url_password_valid,
        claims_match=False,
    ),
    Rule("PASSWORD", _PASSWORD_FIELD, locate=_locate_password_field, tier=CONTEXT),
    Rule("PASSWORD", _BASIC_AUTH, group="value", tier=CONTEXT),
    Rule("PASSWORD", _USER_OPTION, group="value", validate=_url_password_valid, tier=CONTEXT),
)
