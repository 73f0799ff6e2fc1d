"""Rules for numeric entities: phone numbers, payment cards, IBANs, US SSNs (and IPv4).

Every pattern is anchored by *structure* (group sizes, separators, checksums)
rather than by "a run of digits", because the text an agent sends is full of
numbers that are not PII: dates, versions, order ids, timestamps, prices.
Where the structure alone is ambiguous (``4155550132``, ``123 45 6789``) a
keyword nearby (``phone:``, ``SSN``) is required instead.

All of them share one scan for runs of digits; ``_number_family`` routes each
run only to the rules it could satisfy (a card needs 14 characters, a national
phone number starts with 0 …).
"""

from __future__ import annotations

import re

from hetero_agents.redaction._rules import CONTEXT, Rule
from hetero_agents.redaction._validators import (
    IBAN_LENGTHS,
    card_valid,
    digits_of,
    iban_checksum_valid,
    ssn_valid,
)

_X = re.VERBOSE

# --- phone ------------------------------------------------------------------------------

_EXTENSION = r"(?:[ ]?(?:x|ext\.?|extn\.?)[ ]?[0-9]{1,6})?"
_PHONE_END = r"(?![0-9]|[.\-/][0-9])"

# +44 20 7946 0958, +1 (415) 555-0132, +49 30 901820, +33 6 12 34 56 78, +14155550132
_PHONE_PLUS = re.compile(
    rf"""
    \+(?<![\w+]\+)[1-9][0-9]{{0,2}}              # + and the country code
    (?:[ .\-]?\(0\))?                            # UK/DE style "(0)" trunk hint
    [ .\-]?\(?[0-9]{{1,4}}\)?                    # area code, may be one digit
    (?:[ .\-]?\(?[0-9]{{2,8}}\)?){{1,5}}         # more groups of at least two digits
    {_EXTENSION}{_PHONE_END}
    """,
    _X,
)
# 0033 1 42 68 53 00, 0044 20 7946 0958: the international prefix written as 00
_PHONE_00 = re.compile(
    rf"""
    00(?<![\w.,+\-/:#]00)[1-9][0-9]{{0,2}}
    [ .\-]\(?[0-9]{{1,4}}\)?
    (?:[ .\-]\(?[0-9]{{2,8}}\)?){{1,5}}
    {_EXTENSION}{_PHONE_END}
    """,
    _X,
)
# North American numbers: (415) 555-0132, 415-555-0132, 415.555.0132, 1-800-555-0199
_PHONE_NANP = re.compile(
    rf"""
    (?<![\w+.\-/#])
    (?:1[ .\-])?
    (?:\([2-9][0-9]{{2}}\)[ .\-]?|[2-9][0-9]{{2}}[ .\-])
    [2-9][0-9]{{2}}[ .\-][0-9]{{4}}
    {_EXTENSION}{_PHONE_END}
    """,
    _X,
)
# National numbers with a trunk 0: 020 7946 0958, 030 901820, 01 42 68 53 00,
# 06-12345678, (030) 901820, 01.42.68.53.00. One separator kind per number, so a
# date and a time ("01/02/2024 12:00") never chain into one.
_PHONE_NATIONAL = re.compile(
    rf"""
    (?<![\w.,+\-/:#])
    (?:
        0[1-9][0-9]{{0,3}}([ \-/])[0-9]{{2,8}}(?:\1[0-9]{{2,8}}){{0,3}}
      | \(0[0-9]{{1,4}}\)[ ]?[0-9]{{2,8}}(?:[ \-][0-9]{{2,8}}){{0,3}}
      | 0[1-9](?:\.[0-9]{{2}}){{4}}
    )
    {_EXTENSION}{_PHONE_END}
    """,
    _X,
)
# Any digits right after a phone keyword: "phone: 4155550132", {"mobile": "07700900123"}
_PHONE_CONTEXT = re.compile(
    r"""
    (?i:(?<![a-z])
        (?:phone|telephone|tel|mobile|mob|cell(?:phone)?|fax|whatsapp|sms|telefon|
           tel[eé]fono|t[eé]l[eé]phone|t[eé]l|handy|m[oó]vil|portable|cellulare)
        (?:[_ \-]?(?:number|no|nr|num|\#))?
        (?:\s+(?:me\s+)?(?:at|on))?
    )
    ["']?[ \t]*[:=\#.]?[ \t]*["']?[ \t]*
    (?P<value>\+?\(?[0-9](?:[ .\-()/]{0,2}[0-9]){6,14})(?![0-9])
    """,
    _X,
)
_ISBN_BEFORE = re.compile(r"(?i)isbn(?:-1[03])?[:\s]*$")


_EXTENSION_TAIL = re.compile(r"[ ]?(?:x|ext\.?|extn\.?)[ ]?[0-9]{1,6}$")


def _phone_digits(value: str) -> str:
    return digits_of(_EXTENSION_TAIL.sub("", value))


def _plus_phone_valid(value: str) -> bool:
    return 8 <= len(_phone_digits(value)) <= 15


def _international_00_valid(value: str) -> bool:
    return 10 <= len(_phone_digits(value)) <= 17  # "00" + 8..15 digits


def _national_phone_valid(value: str) -> bool:
    digits = _phone_digits(value)
    # 9 to 11 digits (FR, UK, IT, NL, JP, AU …); 12 only for German mobiles (015x-017x).
    return 9 <= len(digits) <= 11 or (len(digits) == 12 and digits.startswith("01"))


def _context_phone_valid(value: str) -> bool:
    return 7 <= len(_phone_digits(value)) <= 15


PHONE_RULES = (
    Rule("PHONE", _PHONE_PLUS, validate=_plus_phone_valid, reject_before=_ISBN_BEFORE),
    Rule("PHONE", _PHONE_00, validate=_international_00_valid, reject_before=_ISBN_BEFORE),
    Rule("PHONE", _PHONE_NANP, reject_before=_ISBN_BEFORE),
    Rule("PHONE", _PHONE_NATIONAL, validate=_national_phone_valid, reject_before=_ISBN_BEFORE),
    Rule(
        "PHONE",
        _PHONE_CONTEXT,
        group="value",
        validate=_context_phone_valid,
        reject_before=_ISBN_BEFORE,
        tier=CONTEXT,
    ),
)

# --- payment cards ---------------------------------------------------------------------

_CARD = re.compile(
    r"""
    (?<![\w\-.])(?<![0-9]{4}[ \-])                  # not inside a longer number or grouping
    (?:
        [0-9]{4}(?P<s1>[ \-]?)[0-9]{4}(?P=s1)[0-9]{4}(?P=s1)[0-9]{4}(?:(?P=s1)[0-9]{1,3})?  # 16-19
      | [0-9]{4}(?P<s2>[ \-]?)[0-9]{6}(?P=s2)[0-9]{4,5}                      # Amex 15, Diners 14
      | [0-9]{4}(?P<s3>[ \-])[0-9]{4}(?P=s3)[0-9]{4}(?P=s3)[0-9]{2}          # Diners 14 as 4-4-4-2
    )
    (?![0-9]|[\-.][0-9]|[ \-][0-9]{4}(?![0-9]))       # …nor followed by another group
    """,
    _X,
)
CARD_RULES = (Rule("CARD", _CARD, validate=card_valid),)

# --- IBAN ---------------------------------------------------------------------------------

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ \-]?[A-Z0-9]){11,30}")


def _locate_iban(match: re.Match[str]) -> tuple[int, int] | None:
    """Cut the greedy match at the country's IBAN length, then check mod-97.

    The pattern happily runs on into a following upper-case word ("… 0130 00
    BANK"); the registry length says exactly where the IBAN ends.
    """
    text = match.string
    start = match.start()
    length = IBAN_LENGTHS.get(text[start : start + 2])
    if length is None:
        return None
    seen = 0
    end = start
    for end in range(start, match.end()):
        if text[end].isalnum():
            seen += 1
            if seen == length:
                break
    if seen < length:
        return None
    end += 1
    if end < len(text) and text[end].isalnum():
        return None
    compact = "".join(char for char in text[start:end] if char.isalnum())
    return (start, end) if iban_checksum_valid(compact) else None


IBAN_RULES = (Rule("IBAN", _IBAN, locate=_locate_iban),)

# --- US social security numbers ------------------------------------------------------------

_SSN = re.compile(r"(?<![\w\-./])[0-9]{3}-[0-9]{2}-[0-9]{4}(?!\w|[\-.][0-9])")
_SSN_CONTEXT = re.compile(
    r"""
    (?i:(?<![a-z])(?:ssn|social[ ]security(?:[ ](?:number|no\.?|\#))?
                  |soc\.?[ ]?sec\.?(?:[ ]?(?:no\.?|\#))?))
    ["']?[ \t]*[:=\#]?[ \t]*["']?[ \t]*
    (?P<value>[0-9]{3}[ .]?[0-9]{2}[ .]?[0-9]{4})(?![0-9])
    """,
    _X,
)
SSN_RULES = (
    Rule("SSN", _SSN, validate=ssn_valid),
    Rule("SSN", _SSN_CONTEXT, group="value", validate=ssn_valid, tier=CONTEXT),
)
