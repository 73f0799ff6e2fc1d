"""Each entity type: formats that must be found, look-alikes that must not; validators; fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hetero_agents.redaction import DefaultRedactor
from hetero_agents.redaction._locators import may_hold_builtin
from hetero_agents.redaction._validators import (
    card_valid,
    iban_valid,
    ipv6_valid,
    looks_random,
    luhn_valid,
    ssn_valid,
)

REDACTOR = DefaultRedactor()

FOUND = [
    (
        "EMAIL",
        "Write to first.last+tag@mail.example.co.uk today",
        "first.last+tag@mail.example.co.uk",
    ),
    ("EMAIL", "ZOË <zoë.novak@example.de>", "zoë.novak@example.de"),
    ("PHONE", "call +44 20 7946 0958.", "+44 20 7946 0958"),
    ("PHONE", "(415) 555-0132", "(415) 555-0132"),
    ("PHONE", "Tel +49 30 901820", "+49 30 901820"),
    ("PHONE", "0033 1 42 68 53 00", "0033 1 42 68 53 00"),
    ("PHONE", "415.555.0132", "415.555.0132"),
    ("PHONE", "+81 3-1234-5678", "+81 3-1234-5678"),
    ("PHONE", "mobile: 07700 900123", "07700 900123"),
    ("PHONE", '{"phone": "4155550132"}', "4155550132"),
    ("CARD", "4111 1111 1111 1111", "4111 1111 1111 1111"),
    ("CARD", "visa 4242-4242-4242-4242;", "4242-4242-4242-4242"),
    ("CARD", "amex 3782 822463 10005", "3782 822463 10005"),
    ("CARD", "5555555555554444", "5555555555554444"),
    ("IBAN", "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
    ("IBAN", "to GB82WEST12345698765432.", "GB82WEST12345698765432"),
    ("SSN", "SSN: 078-05-1120", "078-05-1120"),
    ("SSN", "social security number 219 09 9999", "219 09 9999"),
    ("IP", "from 203.0.113.7:443", "203.0.113.7"),
    ("IP", "addr 2001:db8::8a2e:370:7334", "2001:db8::8a2e:370:7334"),
    ("IP", "[fe80::1%eth0]", "fe80::1%eth0"),
    ("API_KEY", "OPENAI_API_KEY=sk-" + "aB3" * 16, "sk-" + "aB3" * 16),
    ("API_KEY", "key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("API_KEY", "token ghp_" + "x1Y2" * 9, "ghp_" + "x1Y2" * 9),
    ("API_KEY", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", None),
    ("API_KEY", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", None),
    ("API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", None),
    ("API_KEY", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", None),
    (
        "API_KEY",
        "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ),
    (
        "JWT",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        None,
    ),
    (
        "PRIVATE_KEY",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----",
        None,
    ),
    ("PASSWORD", "mysql://root:Tr0ub4dor&3@db:3306/app", "Tr0ub4dor&3"),
    ("PASSWORD", 'password = "correct horse"', "correct horse"),
    ("PASSWORD", "PGPASSWORD=s3cret-pw psql", "s3cret-pw"),
]

NOT_FOUND = [
    "Released 2024-03-15 as v1.2.3 (build 4521), commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
    "id 123e4567-e89b-12d3-a456-426614174000, ts 1712345678, order ORD-2024-000123",
    "Total $1,234.56 / 1.234,56 € / 1 234,56 € for 3 items",
    "Not a card: 4111 1111 1111 1112; ISBN 978-3-16-148410-0; tracking 1Z999AA10123456784",
    "version 1.2.3.4 and OID 1.3.6.1.4.1.311 and 12:30:45 and std::vector",
    "logo@2x.png, lodash@4.17.21, git@github.com:acme/app.git",
    "api_key = os.environ['OPENAI_API_KEY']; password: ********; token: <token>",
    "SSN XXX-XX-1234 and card **** **** **** 4242",
    '"usage": {"input_tokens": 1234, "output_tokens": 567}, "next_page_token": "CAESBggBEAEYAQ"',
    "Reset your password: visit the account page.",
]


@pytest.mark.parametrize(("entity_type", "text", "value"), FOUND)
def test_finds(entity_type: str, text: str, value: str | None) -> None:
    findings = REDACTOR.find(text)
    assert [(f.type, f.value) for f in findings] == [(entity_type, value or text)]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_leaves_look_alikes_alone(text: str) -> None:
    assert REDACTOR.find(text) == []


def test_validators() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert card_valid("3782-822463-10005")
    assert not card_valid("1234 5678 9012 3452")  # Luhn-valid, but no card scheme starts 12
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert not iban_valid("GB83 WEST 1234 5698 7654 32")
    assert not iban_valid("DE89 3704 0044 0532 0130")  # too short for Germany
    assert ssn_valid("078-05-1120")
    assert not any(
        ssn_valid(s) for s in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567")
    )
    assert ipv6_valid("::1")
    assert not ipv6_valid("be::ef")  # valid, but digit-less: a C++/Rust path far more often
    assert not ipv6_valid("12:30:45")
    assert looks_random("aB3dE5fG7hJ9kL1m")
    assert not looks_random("settings.openai_api_key")


def test_plain_text_skips_every_rule() -> None:
    assert not may_hold_builtin("What's the weather in Paris tomorrow?")
    assert may_hold_builtin("Bearer abcdefghijklmnopQRSTUV")  # letters only, still checked
    assert REDACTOR.find("Bearer abcdefghijklmnopQRSTUV")[0].type == "API_KEY"


_ALPHABET = "0123456789 -./:@+()_=abcxyzAKIESG\"'\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=120))
def test_findings_are_ordered_disjoint_and_exact(text: str) -> None:
    findings = REDACTOR.find(text)
    position = 0
    for finding in findings:
        assert position <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.value
        position = finding.end
    scope = REDACTOR.scope()
    once = scope.redact(text)
    assert scope.redact(once) == once
