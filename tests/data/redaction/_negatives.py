"""PII-free look-alikes: agent traffic full of numbers and tokens that are NOT PII.

Dates, versions, order and tracking ids, timestamps, UUIDs, git SHAs, prices
in several locales, non-Luhn 16-digit numbers, ISBNs, hashes, masked values,
placeholders, code with ``@`` and ``::``. A redactor that flags these
destroys the data the pipeline learns from.
"""

# Data tables: one value or template per line reads better than wrapped f-strings.
# ruff: noqa: E501

from __future__ import annotations

import json

import _values as v


def release_notes() -> str:
    return (
        f"Release {v.version()} ({v.date()})\n- Fixed crash on startup (#{v.digits(4)}, {v.git_sha(short=True)})\n"
        f"- Bumped langchain-core to {v.version()}\n- Build {v.digits(8)}.{v.rng.randint(1, 9)} signed {v.git_sha()}"
    )


def order_summary() -> str:
    return (
        f"Order {v.order_id()} placed {v.date()}: {v.rng.randint(1, 5)} x book ISBN {v.isbn()} at {v.price()}, "
        f"shipping {v.price()}, tracking {v.tracking()}. Total {v.price()}."
    )


def ops_log() -> str:
    return (
        f"{v.date()} INFO request_id={v.a_uuid()} route=/v1/chat status={v.pick(['200', '429', '503'])} "
        f"latency_ms={v.rng.randint(3, 9000)} tokens_in={v.rng.randint(1, 8000)} tokens_out={v.rng.randint(1, 4000)} "
        f"pod=api-{v.token(10, 'abcdefghijklmnopqrstuvwxyz0123456789')}-{v.token(5, 'abcdefghijklmnopqrstuvwxyz0123456789')} "
        f"ts={v.timestamp()}"
    )


def usage_json() -> str:
    return json.dumps(
        {
            "id": f"chatcmpl-{v.token(29)}",
            "created": int(v.timestamp()[:10]),
            "model": f"gpt-4o-{v.date()[:10]}",
            "usage": {
                "input_tokens": v.rng.randint(1, 9000),
                "output_tokens": v.rng.randint(1, 4000),
                "total_tokens": v.rng.randint(1, 13000),
            },
            "system_fingerprint": f"fp_{v.token(10, v.HEX)}",
            "next_page_token": v.token(24, v.ALNUM),
            "max_tokens": v.pick([256, 1024, 4096]),
        }
    )


def finance_report() -> str:
    return v.pick(
        [
            lambda: (
                f"Revenue grew {v.rng.randint(1, 40)}.{v.rng.randint(0, 9)}% to {v.price()} in Q{v.rng.randint(1, 4)} {v.rng.randint(2019, 2025)}; EBITDA {v.price()}."
            ),
            lambda: (
                f"Umsatz {v.rng.randint(1, 999)}.{v.digits(3)}.{v.digits(3)},{v.digits(2)} € (Vorjahr {v.rng.randint(1, 999)}.{v.digits(3)},{v.digits(2)} €), Stand {v.date()}."
            ),
            lambda: (
                f"Chiffre d'affaires : {v.rng.randint(1, 999)} {v.digits(3)} {v.digits(3)},{v.digits(2)} € au {v.date()}."
            ),
            lambda: (
                f"Total: ₹{v.rng.randint(1, 99)},{v.digits(2)},{v.digits(3)}.{v.digits(2)} for {v.rng.randint(2, 90)} units"
            ),
        ]
    )()


def code_snippet() -> str:
    return v.pick(
        [
            lambda: (
                f'@tool\ndef get_weather(city: str) -> str:\n    """Weather for a city."""\n    return f"{{city}}: {v.rng.randint(-10, 35)}°C"'
            ),
            lambda: (
                f'std::vector<int> xs{{{v.rng.randint(1, 9)}, {v.rng.randint(1, 9)}}}; std::string s = fmt::format("{{}}", xs.size());'
            ),
            lambda: (
                "use crate::config::Settings;\nlet cfg = Settings::load()?; // see docs::config"
            ),
            lambda: (
                f'api_key = os.environ["OPENAI_API_KEY"]\nclient = OpenAI(api_key=api_key, timeout={v.rng.randint(5, 60)})'
            ),
            lambda: (
                f"password = getpass.getpass()\nconn = connect(user=user, password=password, port={v.rng.randint(1000, 9999)})"
            ),
            lambda: (
                f"npm install lodash@{v.version().lstrip('v')} @types/node@{v.rng.randint(16, 22)}"
            ),
            lambda: (
                f'<img src="/static/logo@2x.png" srcset="logo@3x.png 3x" width="{v.rng.randint(16, 512)}">'
            ),
            lambda: (
                f"git remote add origin git@github.com:acme/agent-{v.digits(3)}.git && git push -u origin main"
            ),
            lambda: (
                f"color: #{v.token(6, '0123456789abcdef')}; margin: {v.rng.randint(0, 32)}px; z-index: {v.rng.randint(1, 9999)};"
            ),
            lambda: (
                f"ARN arn:aws:iam::{v.digits(12)}:role/deploy-{v.rng.randint(1, 9)} in region eu-west-{v.rng.randint(1, 3)}"
            ),
            lambda: f"image: python:{v.version().lstrip('v')}-slim@sha256:{v.token(64, v.HEX)}",
            lambda: (
                f"if ratio > {v.rng.random():.4f} and n < {v.rng.randint(10**6, 10**9)}: retry(backoff={v.rng.random():.2f})"
            ),
        ]
    )()


def placeholders() -> str:
    return v.pick(
        [
            lambda: "Set OPENAI_API_KEY=sk-... (your key) and ANTHROPIC_API_KEY=<your-key> in .env",
            lambda: "password: ********  (hidden)",
            lambda: "DB_PASSWORD=${DB_PASSWORD}\nREDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379",
            lambda: f"Card ending **** **** **** {v.digits(4)} was charged {v.price()}",
            lambda: f"SSN on file: XXX-XX-{v.digits(4)}",
            lambda: 'Replace YOUR_API_KEY_HERE with the key from the dashboard; "token": "<token>"',
            lambda: "Reset your password: visit the account page and choose a new password.",
            lambda: f"The api key rotation happened on {v.date()}; the key is stored in Vault.",
        ]
    )()


def _grouped(number: str, label: str) -> str:
    return f"{label} {number[:4]} {number[4:8]} {number[8:12]} {number[12:]}"


def number_lookalikes() -> str:
    return v.pick(
        [
            lambda: f"Reference number {v.non_luhn_16()} (not a card)",
            lambda: _grouped(v.non_luhn_16(), "Invoice"),
            lambda: (
                f"Order {v.order_id()} / parcel {v.tracking()} / SKU {v.digits(3)}-{v.digits(5)}"
            ),
            lambda: (
                f"Time {v.rng.randint(0, 23):02d}:{v.rng.randint(0, 59):02d}:{v.rng.randint(0, 59):02d}, offset UTC+05:30, duration {v.rng.randint(1, 99)}m{v.rng.randint(1, 59)}s"
            ),
            lambda: (
                f"Coordinates {v.rng.uniform(-90, 90):.6f}, {v.rng.uniform(-180, 180):.6f} (accuracy {v.rng.randint(1, 99)} m)"
            ),
            lambda: (
                f"MAC address {':'.join(v.token(2, '0123456789ABCDEF') for _ in range(6))} on vlan {v.rng.randint(1, 4094)}"
            ),
            lambda: (
                f"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{v.rng.randint(100, 130)}.0.{v.rng.randint(1000, 9999)}.{v.rng.randint(10, 200)}"
            ),
            lambda: (
                f"firmware version {v.rng.randint(1, 9)}.{v.rng.randint(0, 9)}.{v.rng.randint(0, 9)}.{v.rng.randint(0, 99)} released {v.date()}"
            ),
            lambda: (
                f"SNMP OID 1.3.6.1.4.1.{v.rng.randint(100, 9999)}.{v.rng.randint(1, 9)}.{v.rng.randint(1, 9)}"
            ),
            lambda: (
                f"ISBN-13: {v.isbn()}; pages {v.rng.randint(90, 900)}; edition {v.rng.randint(1, 9)}"
            ),
            lambda: f"2^32 = 4294967296 and 10! = 3628800; epoch {v.timestamp()}",
            lambda: (
                f"Phone extension {v.rng.randint(100, 999)}, room {v.rng.randint(100, 999)}-B, floor {v.rng.randint(1, 40)}"
            ),
            lambda: (
                f"Build {v.date()[:10].replace('-', '')}.{v.rng.randint(1, 99)} of {v.a_uuid()} at {v.price()}"
            ),
            lambda: (
                f"Slack channel C0{v.token(9, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')} user U0{v.token(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}"
            ),
            lambda: (
                f"Swift/BIC {v.pick(['DEUTDEFF', 'BNPAFRPP', 'COBADEFFXXX', 'NWBKGB2L'])}, sort code {v.digits(2)}-{v.digits(2)}-{v.digits(2)}"
            ),
        ]
    )()


def prose() -> str:
    return v.pick(
        [
            lambda: (
                f"The agent called the search tool {v.rng.randint(2, 9)} times and summarised {v.rng.randint(3, 40)} results in {v.rng.randint(100, 900)} tokens."
            ),
            lambda: (
                "Our key insight: smaller models handle most routine tool calls; the large model is needed for planning."
            ),
            lambda: (
                f"Meeting moved to {v.date()} at {v.rng.randint(9, 17)}:00 in room {v.rng.randint(100, 500)}; bring the Q{v.rng.randint(1, 4)} numbers."
            ),
            lambda: (
                "Please reset the token budget and pass the secret sauce recipe to the team (kidding)."
            ),
            lambda: (
                f"Le modèle a traité {v.rng.randint(1000, 99999)} requêtes le {v.date()} avec une latence médiane de {v.rng.randint(10, 900)} ms."
            ),
            lambda: (
                f"Die Antwortzeit lag bei {v.rng.randint(1, 9)},{v.digits(2)} s (p95: {v.rng.randint(1, 9)},{v.digits(2)} s) für Version {v.version()}."
            ),
        ]
    )()


NEGATIVE_TEMPLATES = [
    (release_notes, 2),
    (order_summary, 3),
    (ops_log, 3),
    (usage_json, 2),
    (finance_report, 3),
    (code_snippet, 5),
    (placeholders, 3),
    (number_lookalikes, 7),
    (prose, 3),
]
