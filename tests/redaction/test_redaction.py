"""The redaction contract: scopes, numbering, JSON walking, opt-out, configuration."""

from __future__ import annotations

import re
import threading

import pytest

from hetero_agents.errors import HeteroAgentsError, RedactionConfigError
from hetero_agents.redaction import (
    ENTITY_TYPES,
    DefaultRedactor,
    Finding,
    NoRedaction,
    RedactionScope,
    Redactor,
    redact_json,
)

REDACTOR = DefaultRedactor()


def test_public_names_are_exactly_these() -> None:
    import hetero_agents.redaction as package

    assert set(package.__all__) == {
        "ENTITY_TYPES", "Case", "DefaultRedactor", "EvaluationReport", "Finding", "JSONValue",
        "NoRedaction", "RedactionScope", "Redactor", "TypeScore", "evaluate", "load_cases",
        "redact_json",
    }  # fmt: skip
    assert all(getattr(package, name) is not None for name in package.__all__)


def test_default_and_opt_out_implement_the_protocols() -> None:
    for redactor in (REDACTOR, NoRedaction()):
        assert isinstance(redactor, Redactor)
        assert isinstance(redactor.scope(), RedactionScope)


def test_numbering_is_per_type_and_consistent_within_a_scope() -> None:
    scope = REDACTOR.scope()
    first = scope.redact("mail bob@example.com or alice@example.org, call +44 20 7946 0958")
    second = scope.redact("again: alice@example.org, then Bob@Example.com, +1 (415) 555-0132")
    assert first == "mail <EMAIL_1> or <EMAIL_2>, call <PHONE_1>"
    # same address (case-insensitive) -> same placeholder; a new phone -> <PHONE_2>
    assert second == "again: <EMAIL_2>, then <EMAIL_1>, <PHONE_2>"


def test_same_number_in_two_formats_is_one_placeholder() -> None:
    scope = REDACTOR.scope()
    assert scope.redact("+44 20 7946 0958 / 0044 20 7946 0958") == "<PHONE_1> / <PHONE_1>"
    assert scope.redact("4111 1111 1111 1111 = 4111-1111-1111-1111") == "<CARD_1> = <CARD_1>"


def test_scopes_are_independent() -> None:
    one, two = REDACTOR.scope(), REDACTOR.scope()
    assert one.redact("a@example.com") == "<EMAIL_1>"
    assert one.redact("b@example.com") == "<EMAIL_2>"
    assert two.redact("b@example.com") == "<EMAIL_1>"  # numbering starts again


def test_redacting_twice_changes_nothing_more() -> None:
    scope = REDACTOR.scope()
    once = scope.redact(
        "key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z to 10.0.0.1 for bob@example.com"
    )
    assert scope.redact(once) == once
    assert once == "key <API_KEY_1> to <IP_1> for <EMAIL_1>"


def test_find_reports_spans_and_values() -> None:
    text = "SSN 078-05-1120, IBAN DE89 3704 0044 0532 0130 00."
    findings = REDACTOR.find(text)
    assert findings == [
        Finding("SSN", 4, 15, "078-05-1120"),
        Finding("IBAN", 22, 49, "DE89 3704 0044 0532 0130 00"),
    ]
    assert all(text[f.start : f.end] == f.value for f in findings)


def test_url_password_keeps_user_and_host() -> None:
    scope = REDACTOR.scope()
    assert (
        scope.redact("postgres://app:s3cr3t!@db.example.com:5432/orders")
        == "postgres://app:<PASSWORD_1>@db.example.com:5432/orders"
    )
    # the host is left to its own rule: an IP host is redacted as an IP, not swallowed
    assert scope.redact("redis://:pw-9x@10.1.2.3:6379") == "redis://:<PASSWORD_2>@<IP_1>:6379"


def test_redact_json_walks_nested_tool_call_arguments() -> None:
    args = {
        "to": ["bob@example.com", {"cc": "bob@example.com"}],
        "body": "card 4111 1111 1111 1111, thanks",
        "password": "hunter2",
        "phone": "4155550132",
        "amount": 12.5,
        "card_as_number": 4111111111111111,
        "count": 3,
        "confirmed": True,
        "note": None,
        "bob@example.com": "keys stay as they are",
    }
    redacted = redact_json(args, REDACTOR.scope())
    assert redacted == {
        "to": ["<EMAIL_1>", {"cc": "<EMAIL_1>"}],
        "body": "card <CARD_1>, thanks",
        "password": "<PASSWORD_1>",  # the key gives the context a bare value lacks
        "phone": "<PHONE_1>",
        "amount": 12.5,
        "card_as_number": "<CARD_1>",  # a number must not bypass the redactor
        "count": 3,
        "confirmed": True,
        "note": None,
        "bob@example.com": "keys stay as they are",
    }
    assert args["password"] == "hunter2"  # a copy: the input is untouched


def test_redact_json_bare_values_without_a_telling_key_stay() -> None:
    scope = REDACTOR.scope()
    assert redact_json({"city": "4155550132", "id": "hunter2"}, scope) == {
        "city": "4155550132",
        "id": "hunter2",
    }
    assert redact_json(("a@example.com", 1), scope) == ["<EMAIL_1>", 1]


def test_no_redaction_is_identity() -> None:
    text = "bob@example.com 4111 1111 1111 1111 sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
    scope = NoRedaction().scope()
    assert scope.redact(text) is text
    value = {"a": [text, 4111111111111111]}
    assert redact_json(value, scope) == value


def test_types_subset_redacts_only_those_types() -> None:
    text = "bob@example.com, +1 (415) 555-0132, 10.0.0.1"
    only_email = DefaultRedactor(types=["EMAIL"])
    assert only_email.redact(text) == "<EMAIL_1>, +1 (415) 555-0132, 10.0.0.1"
    assert only_email.types == frozenset({"EMAIL"})
    no_ip = DefaultRedactor(types=[t for t in ENTITY_TYPES if t != "IP"])
    assert no_ip.redact(text) == "<EMAIL_1>, <PHONE_1>, 10.0.0.1"
    assert DefaultRedactor(types=[]).redact(text) == text


def test_unknown_type_is_a_clear_typed_error() -> None:
    with pytest.raises(RedactionConfigError, match=r"EMAILS.*choose from") as info:
        DefaultRedactor(types=["EMAILS"])
    assert isinstance(info.value, HeteroAgentsError)
    assert isinstance(info.value, ValueError)


def test_extra_patterns_add_types_and_may_replace_a_group() -> None:
    redactor = DefaultRedactor(
        extra_patterns={
            "EMPLOYEE_ID": r"EMP-[0-9]{6}",
            "TICKET_SECRET": re.compile(r"ticket-pin (?P<value>[0-9]{4})"),
        }
    )
    text = "EMP-004211 asked; ticket-pin 4821; mail ops@example.com"
    assert (
        redactor.redact(text)
        == "<EMPLOYEE_ID_1> asked; ticket-pin <TICKET_SECRET_1>; mail <EMAIL_1>"
    )
    assert {"EMPLOYEE_ID", "TICKET_SECRET", "EMAIL"} <= redactor.types
    pairs = DefaultRedactor(types=[], extra_patterns=[("ROOM", r"room [0-9]+")])
    assert pairs.redact("in room 42 at 9") == "in <ROOM_1> at 9"


def test_extra_pattern_type_must_be_upper_snake_case() -> None:
    with pytest.raises(RedactionConfigError, match="UPPER_SNAKE_CASE"):
        DefaultRedactor(extra_patterns={"employee id": r"x"})


def test_overlaps_resolve_to_the_longest_most_specific_finding() -> None:
    # "2628 8217 6758 8889" alone is a Luhn-valid card; inside the IBAN it is the IBAN
    assert REDACTOR.find("2628 8217 6758 8889")[0].type == "CARD"
    assert REDACTOR.redact("AT13 2628 8217 6758 8889") == "<IBAN_1>"
    text = "IBAN GB82 WEST 1234 5698 7654 32 and card 4111 1111 1111 1111"
    assert REDACTOR.redact(text) == "IBAN <IBAN_1> and card <CARD_1>"
    # a JWT after "Bearer" is a JWT (format rule), not an opaque bearer token
    jwt = (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
        ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    assert REDACTOR.redact(f"Authorization: Bearer {jwt}") == "Authorization: Bearer <JWT_1>"
    # a provider key in an api_key field is one API_KEY, not two findings
    assert (
        REDACTOR.redact('api_key="sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"')
        == 'api_key="<API_KEY_1>"'
    )


def test_one_redactor_serves_many_threads() -> None:
    texts = [f"user{i}@example.com called +1 (415) 555-01{i:02d}" for i in range(40)]
    expected = ["<EMAIL_1> called <PHONE_1>" for _ in texts]
    results: list[list[str]] = []

    def work() -> None:
        results.append([REDACTOR.scope().redact(text) for text in texts])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_repr_names_the_types() -> None:
    assert repr(DefaultRedactor(types=["IP", "EMAIL"])) == "DefaultRedactor(types=['EMAIL', 'IP'])"
    assert repr(NoRedaction()) == "NoRedaction()"
