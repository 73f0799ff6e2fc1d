"""Redaction at capture: PII and secrets never reach the log database.

The logger opens one ``redactor.scope()`` per recorded call (when the call has
a text it has not already seen clean) and passes every text of the call through
that scope, so placeholders (``<EMAIL_1>``, ``<PHONE_2>``) stay consistent
within the call. :class:`DefaultRedactor` is
the default; :class:`NoRedaction` is the explicit opt-out; anything with a
``scope()`` method returning an object with ``redact(str) -> str`` can stand in.

Entity types of the default redactor (:data:`ENTITY_TYPES`):

``EMAIL``, ``PHONE``, ``CARD`` (Luhn + scheme prefix), ``IBAN`` (mod-97),
``SSN``, ``IP`` (v4 and v6), ``API_KEY`` (provider keys and tokens: OpenAI,
Anthropic, AWS, GitHub, GitLab, Slack, Google, Stripe, Hugging Face, … plus
AWS secret keys, bearer tokens and values of ``api_key``/``secret``/``token``
fields), ``JWT``, ``PRIVATE_KEY`` (PEM/OpenSSH/PGP blocks) and ``PASSWORD``
(in URLs, ``password`` fields, HTTP basic credentials).
"""

from hetero_agents.redaction._base import (
    JSONValue,
    NoRedaction,
    RedactionScope,
    Redactor,
    redact_json,
)
from hetero_agents.redaction._default import ENTITY_TYPES, DefaultRedactor
from hetero_agents.redaction._evaluate import (
    Case,
    EvaluationReport,
    TypeScore,
    evaluate,
    load_cases,
)
from hetero_agents.redaction._rules import Finding

__all__ = [
    "ENTITY_TYPES",
    "Case",
    "DefaultRedactor",
    "EvaluationReport",
    "Finding",
    "JSONValue",
    "NoRedaction",
    "RedactionScope",
    "Redactor",
    "TypeScore",
    "evaluate",
    "load_cases",
    "redact_json",
]
