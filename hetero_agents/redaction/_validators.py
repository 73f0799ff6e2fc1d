"""Checksums and structural checks that turn regex candidates into confident findings.

A regex alone cannot tell a payment card from an order id, or an IBAN from a
product code: both are "digits in groups". The validators here are what make
the default redactor precise. Each is a pure function of the candidate's text,
cheap enough to run on every candidate the regexes produce.
"""

from __future__ import annotations

import ipaddress
import re

_NON_DIGIT = re.compile(r"[^0-9]")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def digits_of(text: str) -> str:
    """Return only the ASCII digits of ``text`` (separators, brackets and ``+`` dropped)."""
    return _NON_DIGIT.sub("", text)


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn (mod 10) check used by every card scheme.

    Args:
        digits: the card number as ASCII digits only.
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand_plausible(digits: str) -> bool:
    """Whether the length and issuer prefix (IIN) belong to a real card scheme.

    One random number in ten passes Luhn, so Luhn alone would flag one order id
    in ten; requiring a scheme prefix of the right length removes most of those.
    """
    length = len(digits)
    first = digits[0]
    two = int(digits[:2])
    four = int(digits[:4])
    if first == "4":  # Visa
        return length in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:  # Mastercard
        return length == 16
    if two in (34, 37):  # American Express
        return length == 15
    if 300 <= int(digits[:3]) <= 305 or two in (36, 38, 39):  # Diners Club
        return 14 <= length <= 19
    if digits.startswith("6011") or two == 65 or 644 <= int(digits[:3]) <= 649:  # Discover
        return 16 <= length <= 19
    if 3528 <= four <= 3589:  # JCB
        return 16 <= length <= 19
    if two == 62:  # UnionPay
        return 16 <= length <= 19
    if 2200 <= four <= 2204:  # Mir
        return 16 <= length <= 19
    if two == 50 or 56 <= two <= 69:  # Maestro
        return 12 <= length <= 19
    return False


def card_valid(text: str) -> bool:
    """A payment card number: plausible scheme prefix and length, and Luhn-valid."""
    digits = digits_of(text)
    return 12 <= len(digits) <= 19 and card_brand_plausible(digits) and luhn_valid(digits)


# Length of the IBAN (without spaces) for each country of the SWIFT IBAN registry.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip


def iban_checksum_valid(iban: str) -> bool:
    """Whether a compact (no spaces), upper-case IBAN passes the ISO 7064 mod-97 check.

    The four leading characters move to the end and letters become numbers
    (A=10 … Z=35); a valid IBAN then leaves remainder 1 when divided by 97.
    """
    rearranged = iban[4:] + iban[:4]
    try:
        number = int("".join(str(int(char, 36)) for char in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def iban_valid(text: str) -> bool:
    """An IBAN, grouped or not: known country, that country's exact length, mod-97 valid."""
    compact = _NON_ALNUM.sub("", text).upper()
    expected = IBAN_LENGTHS.get(compact[:2])
    return expected == len(compact) and iban_checksum_valid(compact)


def ssn_valid(text: str) -> bool:
    """A US Social Security number the SSA could have issued.

    Area 000, 666 and 900-999 (ITINs and never-issued numbers), group 00 and
    serial 0000 are not valid SSNs, so they are not flagged.
    """
    digits = digits_of(text)
    if len(digits) != 9:
        return False
    area, group, serial = int(digits[:3]), digits[3:5], digits[5:]
    return area not in (0, 666) and area < 900 and group != "00" and serial != "0000"


def ipv6_valid(text: str) -> bool:
    """A real IPv6 address (full or ``::``-compressed, optional ``%zone``).

    Requires a digit somewhere: ``be::ef`` is a valid address but far more often
    a C++ or Rust path, while real addresses (``fe80::1``, ``2001:db8::``) carry digits.
    """
    address = text.split("%", 1)[0]
    if not any(char.isdigit() for char in address):
        return False
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


def looks_random(token: str, min_length: int = 16) -> bool:
    """Whether a token looks machine-generated rather than like a word or identifier.

    Secrets are random strings: long, and mixing at least two of lower case,
    upper case and digits. Slugs (``sk-learn-tutorial-notes``) and identifiers
    (``settings.openai_api_key``) fail this test, which keeps the key-shaped
    rules precise.
    """
    if len(token) < min_length:
        return False
    classes = (
        any(char.islower() for char in token)
        + any(char.isupper() for char in token)
        + any(char.isdigit() for char in token)
    )
    return classes >= 2
