"""Seeded generators of realistic PII and secret values, and of PII-free look-alikes.

Formats are written from how these values appear in the wild (national phone
conventions, bank and card layouts, provider key shapes), not from the
redactor's patterns. Every value is fake: documentation IP ranges, reserved
example domains, drama phone ranges where they exist, Luhn-valid test-style
card numbers, checksum-valid IBANs with random account numbers, random keys.
"""

# Data tables: one value or template per line reads better than wrapped f-strings.
# ruff: noqa: E501

from __future__ import annotations

import base64
import json
import random
import string
import uuid

rng = random.Random(20240315)

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def digits(count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def pick(options):
    return rng.choice(options)


def token(count: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


# --- people ---------------------------------------------------------------------------------

FIRST = [
    "john",
    "maria",
    "li",
    "fatima",
    "lukas",
    "chloe",
    "ahmed",
    "sofia",
    "kenji",
    "olga",
    "pierre",
    "ana",
    "raj",
    "emma",
    "jürgen",
    "noah",
    "zoë",
    "mateo",
    "aisha",
    "tom",
]
LAST = [
    "smith",
    "garcia",
    "wang",
    "khan",
    "müller",
    "martin",
    "hassan",
    "rossi",
    "tanaka",
    "ivanova",
    "dubois",
    "silva",
    "patel",
    "jones",
    "schmidt",
    "lee",
    "novak",
    "okafor",
]
DOMAINS = [
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "corp.example",
    "eu.example.co.uk",
    "example.de",
    "acme.test",
    "contoso.example",
    "beispiel.example",
    "exemple.fr.example",
    "shop-example.io",
]


def name() -> tuple[str, str]:
    return pick(FIRST), pick(LAST)


def email() -> str:
    first, last = name()
    first = first.replace("ü", "u").replace("ë", "e") if rng.random() < 0.85 else first
    last = last.replace("ü", "ue") if rng.random() < 0.9 else last
    local = pick(
        [
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}_{last}",
            f"{first}{digits(2)}",
            f"{first}.{last}+{pick(['billing', 'news', 'dev', 'x'])}",
            f"{last}.{first[0]}",
            f"{first}-{last}",
            f"{first}.{last}{digits(4)}",
            pick(["support", "ops", "billing", "no-reply", "hr", "admin"]),
        ]
    )
    address = f"{local}@{pick(DOMAINS)}"
    if rng.random() < 0.1:
        address = address[0].upper() + address[1:].replace(".com", ".COM")
    return address


# --- phones ------------------------------------------------------------------------------------


def _us() -> str:
    area = pick(["415", "212", "312", "617", "206", "303", "512", "646", "917", "801"])
    line = f"01{digits(2)}"
    return pick(
        [
            f"({area}) 555-{line}",
            f"{area}-555-{line}",
            f"{area}.555.{line}",
            f"+1 {area} 555 {line}",
            f"+1-{area}-555-{line}",
            f"+1 ({area}) 555-{line}",
            f"1-800-555-{line}",
            f"+1{area}555{line}",
            f"{area} 555 {line}",
            f"1 ({area}) 555-{line}",
            f"+1.{area}.555.{line}",
        ]
    )


def _uk() -> str:
    last = f"0{digits(3)}"
    mobile = f"900{digits(3)}"
    return pick(
        [
            f"+44 20 7946 {last}",
            f"020 7946 {last}",
            f"+44 (0)20 7946 {last}",
            f"07700 {mobile}",
            f"+44 7700 {mobile}",
            f"0044 20 7946 {last}",
            f"+44 161 496 {last}",
            f"0161 496 {last}",
            f"+447700{mobile}",
        ]
    )


def _de() -> str:
    return pick(
        [
            f"+49 30 {digits(6)}",
            f"030 {digits(6)}",
            f"+49 (0)30 {digits(8)}",
            f"0170 {digits(7)}",
            f"+49 170 {digits(7)}",
            f"030/{digits(6)}",
            f"0049 30 {digits(6)}",
            f"+49 89 {digits(8)}",
            f"089 {digits(4)} {digits(4)}",
            f"+49-30-{digits(7)}",
        ]
    )


def _fr() -> str:
    pairs = " ".join(digits(2) for _ in range(4))
    return pick(
        [
            f"01 {pairs}",
            f"+33 1 {pairs}",
            f"0033 1 {pairs}",
            f"06 {pairs}",
            f"+33 6 {pairs}",
            "01." + ".".join(digits(2) for _ in range(4)),
            f"+33 (0)1 {pairs}",
            f"+33{6}{digits(8)}",
        ]
    )


def _other() -> str:
    return pick(
        [
            f"+34 912 {digits(3)} {digits(3)}",
            f"+34 6{digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            f"+39 06 {digits(4)} {digits(4)}",
            f"06 {digits(4)} {digits(4)}",
            f"+31 20 {digits(3)} {digits(4)}",
            f"06-{digits(8)}",
            f"020-{digits(7)}",
            f"+81 3-{digits(4)}-{digits(4)}",
            f"03-{digits(4)}-{digits(4)}",
            f"090-{digits(4)}-{digits(4)}",
            f"+61 2 {digits(4)} {digits(4)}",
            f"(02) {digits(4)} {digits(4)}",
            f"0412 {digits(3)} {digits(3)}",
            f"+91 98{digits(3)} {digits(5)}",
            f"+91-98{digits(3)}-{digits(5)}",
            f"+55 11 9{digits(4)}-{digits(4)}",
            f"+86 10 {digits(4)} {digits(4)}",
            f"+86 138 {digits(4)} {digits(4)}",
            f"+7 495 {digits(3)}-{digits(2)}-{digits(2)}",
            f"+353 1 {digits(3)} {digits(4)}",
            f"+41 44 {digits(3)} {digits(2)} {digits(2)}",
            f"+852 {digits(4)} {digits(4)}",
            f"+27 21 {digits(3)} {digits(4)}",
            f"+46 8 {digits(3)} {digits(3)} {digits(2)}",
        ]
    )


def phone() -> str:
    number = pick([_us, _us, _uk, _de, _fr, _other, _other])()
    if rng.random() < 0.06:
        number += pick([" ext. 204", " x12", " ext 7"])
    return number


def bare_phone() -> str:
    """A number written without any separator: only recognisable next to a keyword."""
    return pick(
        [
            f"415555{digits(4)}",
            f"07700900{digits(3)}",
            f"030{digits(7)}",
            f"06{digits(8)}",
            f"555{digits(4)}",
            f"0{digits(9)}",
        ]
    )


# --- cards, IBANs, SSNs -----------------------------------------------------------------------


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


WELL_KNOWN_CARDS = [
    "4111111111111111",
    "4242424242424242",
    "5555555555554444",
    "5105105105105100",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "3530111333300000",
    "4012888888881881",
    "2223003122003222",
    "6200000000000005",
    "30569309025904",
    "4000056655665556",
]


def card_digits() -> str:
    if rng.random() < 0.25:
        return pick(WELL_KNOWN_CARDS)
    prefix, length = pick(
        [
            ("4", 16),
            ("4", 16),
            ("51", 16),
            ("53", 16),
            ("55", 16),
            ("2221", 16),
            ("2720", 16),
            ("34", 15),
            ("37", 15),
            ("6011", 16),
            ("65", 16),
            ("3528", 16),
            ("3589", 16),
            ("36", 14),
            ("62", 16),
            ("4", 19),
        ]
    )
    body = prefix + digits(length - len(prefix) - 1)
    return body + _luhn_digit(body)


def format_card(number: str) -> str:
    style = pick(["plain", "space", "space", "dash"])
    if style == "plain":
        return number
    sep = " " if style == "space" else "-"
    if len(number) == 15:
        return sep.join([number[:4], number[4:10], number[10:]])
    if len(number) == 14:
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def card() -> str:
    return format_card(card_digits())


def non_luhn_16() -> str:
    body = pick(["4", "5", "1", "9", "3"]) + digits(14)
    bad = str((int(_luhn_digit(body)) + rng.randint(1, 9)) % 10)
    return body + bad


# country -> BBAN layout: (kind, count) with kind n=digits, a=upper letters, c=alphanumeric
BBAN = {
    "DE": [("n", 18)],
    "GB": [("a", 4), ("n", 14)],
    "FR": [("n", 10), ("c", 11), ("n", 2)],
    "ES": [("n", 20)],
    "IT": [("a", 1), ("n", 10), ("c", 12)],
    "NL": [("a", 4), ("n", 10)],
    "BE": [("n", 12)],
    "CH": [("n", 5), ("c", 12)],
    "AT": [("n", 16)],
    "PL": [("n", 24)],
    "SE": [("n", 20)],
    "NO": [("n", 11)],
    "DK": [("n", 14)],
    "IE": [("a", 4), ("n", 14)],
    "PT": [("n", 21)],
    "FI": [("n", 14)],
    "LU": [("n", 3), ("c", 13)],
    "CZ": [("n", 20)],
}


def _bban(country: str) -> str:
    parts = []
    for kind, count in BBAN[country]:
        alphabet = {
            "n": string.digits,
            "a": string.ascii_uppercase,
            "c": string.digits + string.ascii_uppercase,
        }[kind]
        parts.append(token(count, alphabet))
    return "".join(parts)


def iban_compact() -> str:
    country = pick(list(BBAN))
    bban = _bban(country)
    numeric = "".join(str(int(char, 36)) for char in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def iban() -> str:
    compact = iban_compact()
    if rng.random() < 0.6:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def bad_iban() -> str:
    """Right shape, wrong check digits: not an IBAN."""
    compact = iban_compact()
    check = (int(compact[2:4]) + rng.randint(1, 50)) % 97 + 2
    return f"{compact[:2]}{check:02d}{compact[4:]}"


def ssn() -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


# --- network -------------------------------------------------------------------------------------


def ipv4() -> str:
    return pick(
        [
            f"192.0.2.{rng.randint(1, 254)}",
            f"198.51.100.{rng.randint(1, 254)}",
            f"203.0.113.{rng.randint(1, 254)}",
            f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        ]
    )


def ipv6() -> str:
    groups = [format(rng.randint(0, 0xFFFF), "x") for _ in range(4)]
    return pick(
        [
            f"2001:db8::{groups[0]}",
            f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}",
            f"fe80::{groups[0]}:{groups[1]}:{groups[2]}%eth0",
            "2001:0db8:85a3:0000:0000:8a2e:0370:" + f"{rng.randint(0, 0xFFFF):04x}",
            f"2001:db8:{groups[0]}:{groups[1]}:{groups[2]}:{groups[3]}:1:2",
            "::1",
            f"::ffff:192.0.2.{rng.randint(1, 254)}",
            f"2001:DB8::{groups[1].upper()}",
        ]
    )


# --- secrets -------------------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def api_key() -> str:
    return pick(
        [
            lambda: "sk-" + token(48),
            lambda: "sk-proj-" + token(rng.randint(60, 120), ALNUM + "_-"),
            lambda: "sk-svcacct-" + token(64, ALNUM + "_-"),
            lambda: "sk-ant-api03-" + token(93, ALNUM + "_-") + "AA",
            lambda: pick(["AKIA", "ASIA"]) + token(16, string.ascii_uppercase + "234567"),
            lambda: pick(["ghp_", "gho_", "ghs_", "ghu_"]) + token(36),
            lambda: "github_pat_" + token(22) + "_" + token(59),
            lambda: pick(["xoxb-", "xoxp-"]) + f"{digits(12)}-{digits(13)}-" + token(24),
            lambda: "AIza" + token(35, ALNUM + "_-"),
            lambda: pick(["sk_live_", "rk_live_", "sk_test_"]) + token(rng.choice([24, 99])),
            lambda: "hf_" + token(34),
            lambda: "glpat-" + token(20, ALNUM + "_-"),
            lambda: "npm_" + token(36),
            lambda: "SG." + token(22, ALNUM + "_-") + "." + token(43, ALNUM + "_-"),
            lambda: "gsk_" + token(52),
            lambda: "r8_" + token(37),
        ]
    )()


def aws_secret() -> str:
    return token(40, ALNUM + "/+")


def opaque_token() -> str:
    return token(rng.choice([32, 40, 64]), pick([ALNUM, HEX, ALNUM + "-_"]))


def jwt() -> str:
    header = {"alg": pick(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {
        "sub": str(rng.randint(10**6, 10**9)),
        "iat": rng.randint(1_600_000_000, 1_750_000_000),
        "scope": pick(["read", "read write", "admin"]),
    }
    if rng.random() < 0.5:
        payload["email_verified"] = True
    signature = bytes(rng.getrandbits(8) for _ in range(pick([32, 64, 256])))
    return ".".join(
        [
            _b64url(json.dumps(header).encode()),
            _b64url(json.dumps(payload).encode()),
            _b64url(signature),
        ]
    )


def private_key(newline: str = "\n") -> str:
    kind = pick(
        [
            "RSA PRIVATE KEY",
            "PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ]
    )
    lines = [token(64, ALNUM + "+/") for _ in range(rng.randint(3, 8))]
    lines.append(token(rng.randint(10, 60), ALNUM + "+/") + "==")
    return newline.join([f"-----BEGIN {kind}-----", *lines, f"-----END {kind}-----"])


PASSWORDS = [
    "hunter2",
    "Tr0ub4dor&3",
    "S3cure!Pass#2024",
    "correct-horse-battery-staple",
    "Winter2024!",
    "p4ssw0rd",
    "Zx9$kL2!qR",
    "changeme123",
    "Sup3r_S3cret",
    "letmein!",
    "Passw0rd2025",
    "8Bf!kz3QmN",
    "Hallo1234!",
    "m0tdepasse!",
]


def password(url_safe: bool = False) -> str:
    if rng.random() < 0.5:
        value = pick(PASSWORDS)
    else:
        value = token(rng.randint(10, 18), ALNUM + ("!$^*_-" if url_safe else "!$%^*_-#&"))
    if url_safe:
        value = value.replace("#", "9").replace("&", "8").replace("%", "5")
    return value


# --- PII-free look-alikes ------------------------------------------------------------------------


def order_id() -> str:
    return pick(
        [
            f"ORD-{rng.randint(2019, 2025)}-{digits(6)}",
            f"#{digits(7)}",
            f"PO{digits(8)}",
            f"INV-{digits(5)}",
            f"{digits(3)}-{digits(7)}-{digits(7)}",
            f"A{digits(9)}",
        ]
    )


def date() -> str:
    y, m, d = rng.randint(2018, 2026), rng.randint(1, 12), rng.randint(1, 28)
    return pick(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}.{m:02d}.{y}",
            f"{m:02d}/{d:02d}/{y}",
            f"{y}-{m:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
            f"{d} {pick(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'])} {y}",
            f"{y}/{m:02d}/{d:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        ]
    )


def version() -> str:
    return pick(
        [
            f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
            f"v{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
            f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9999)}",
            f"{rng.randint(1, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}rc{rng.randint(1, 3)}",
        ]
    )


def timestamp() -> str:
    return pick(
        [
            str(rng.randint(1_600_000_000, 1_760_000_000)),
            str(rng.randint(1_600_000_000_000, 1_760_000_000_000)),
            f"{rng.randint(1_600_000_000, 1_760_000_000)}.{digits(6)}",
        ]
    )


def a_uuid() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def git_sha(short: bool = False) -> str:
    return token(7 if short else 40, HEX)


def price() -> str:
    amount = rng.randint(1, 999999) / 100
    return pick(
        [
            f"${amount:,.2f}",
            f"{amount:,.2f} USD",
            f"€{amount:.2f}",
            f"{amount:,.2f} €".replace(",", "X").replace(".", ",").replace("X", "."),
            f"£{amount:,.2f}",
            f"{int(amount * 100):,} JPY".replace(",", " "),
        ]
    )


def isbn() -> str:
    body = "978" + digits(9)
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    check = (10 - total % 10) % 10
    full = body + str(check)
    return pick(
        [
            f"978-{full[3]}-{full[4:7]}-{full[7:12]}-{check}",
            full,
            f"ISBN {full[:3]}-{full[3:5]}-{full[5:9]}-{full[9:12]}-{check}",
        ]
    )


def tracking() -> str:
    return pick(
        [
            f"1Z{token(6, string.ascii_uppercase + string.digits)}{digits(10)}",
            f"{digits(12)}",
            f"JD{digits(18)}",
            f"{digits(4)} {digits(4)} {digits(4)}",
            f"9400 {digits(4)} {digits(4)} {digits(4)} {digits(4)} {digits(2)}",
        ]
    )


def number_noise() -> str:
    return pick(
        [
            order_id,
            date,
            version,
            timestamp,
            a_uuid,
            git_sha,
            price,
            isbn,
            tracking,
            lambda: f"{rng.randint(1, 9999):,} tokens",
            lambda: f"{rng.randint(100, 65535)}",
            lambda: f"#{token(6, '0123456789ABCDEF')}",
            lambda: f"{rng.randint(1, 99)}%",
            lambda: f"{rng.uniform(-90, 90):.6f}, {rng.uniform(-180, 180):.6f}",
            lambda: f"sha256:{token(64, HEX)}",
            lambda: f"{rng.randint(1, 512)} MiB",
        ]
    )()
