"""Hand-written templates of agent traffic: tickets, tool calls, logs, configs, chats.

Each template takes a :class:`Doc` and returns a text; ``d.pii(TYPE, value)``
inserts a value and labels it. Look-alike noise (dates, ids, versions, prices,
hashes) is inserted unlabelled: it must *not* be redacted.
"""

# Data tables: one value or template per line reads better than wrapped f-strings.
# ruff: noqa: E501

from __future__ import annotations

import json

import _values as v


class Doc:
    def __init__(self) -> None:
        self.entities: list[tuple[str, str]] = []

    def pii(self, entity_type: str, value: str) -> str:
        self.entities.append((entity_type, value))
        return value


# --- support tickets and e-mails (several languages) --------------------------------------------


def ticket_en(d: Doc) -> str:
    first, last = v.name()
    return (
        f"Ticket {v.order_id()} opened {v.date()}\nCustomer: {first.title()} {last.title()} "
        f"<{d.pii('EMAIL', v.email())}>\nPhone: {d.pii('PHONE', v.phone())}\n"
        f"Issue: charged {v.price()} twice for order {v.order_id()}. App version {v.version()}."
    )


def ticket_de(d: Doc) -> str:
    return (
        f"Sehr geehrte Damen und Herren,\nbitte erstatten Sie {v.price()} auf mein Konto "
        f"IBAN {d.pii('IBAN', v.iban())} (Bestellung {v.order_id()} vom {v.date()}).\n"
        f"Rückruf bitte unter Tel. {d.pii('PHONE', v.phone())}.\nMit freundlichen Grüßen"
    )


def ticket_fr(d: Doc) -> str:
    return (
        f"Bonjour, je n'arrive plus à me connecter depuis le {v.date()}. Mon adresse est "
        f"{d.pii('EMAIL', v.email())} et mon numéro {d.pii('PHONE', v.phone())}. "
        f"Référence dossier {v.order_id()}, montant {v.price()}."
    )


def ticket_es(d: Doc) -> str:
    return (
        f"Hola, el cargo de {v.price()} del {v.date()} no es mío. Mi tarjeta termina en "
        f"{v.digits(4)}; pueden escribirme a {d.pii('EMAIL', v.email())} o llamar al "
        f"{d.pii('PHONE', v.phone())}."
    )


def refund_card(d: Doc) -> str:
    return v.pick(
        [
            lambda: (
                f"Please refund {v.price()} to card {d.pii('CARD', v.card())}, expiry {v.rng.randint(1, 12):02d}/{v.rng.randint(26, 31)}."
            ),
            lambda: (
                f"Customer read out the card number {d.pii('CARD', v.card())} on the call ({v.date()}); refund ticket {v.order_id()}."
            ),
            lambda: f"Karte: {d.pii('CARD', v.card())} - Betrag {v.price()} - Beleg {v.order_id()}",
            lambda: (
                f"Carte bancaire {d.pii('CARD', v.card())} refusée le {v.date()}, code erreur 05."
            ),
        ]
    )()


def identity_check(d: Doc) -> str:
    return v.pick(
        [
            lambda: f"Applicant SSN {d.pii('SSN', v.ssn())}, DOB {v.date()}, case {v.order_id()}.",
            lambda: (
                f"Please verify: social security number {d.pii('SSN', v.ssn())} for {v.name()[0].title()}."
            ),
            lambda: (
                f"W-9 received. TIN/SSN: {d.pii('SSN', v.ssn())}. Employer ID on file since {v.date()}."
            ),
            lambda: (
                f"The member's SSN is {d.pii('SSN', v.ssn())} and the claim number is {v.order_id()}."
            ),
        ]
    )()


def email_thread(d: Doc) -> str:
    sender, other = v.email(), v.email()
    return (
        f"From: {d.pii('EMAIL', sender)}\nTo: {d.pii('EMAIL', other)}\nDate: {v.date()}\n"
        f"Subject: Re: invoice {v.order_id()}\n\nHi, the total is {v.price()}. You can reach me on "
        f"{d.pii('PHONE', v.phone())}.\n\n> On {v.date()} {sender} wrote:\n> Any update?"
    )


# --- tool-call arguments (JSON) ------------------------------------------------------------------


def tool_send_email(d: Doc) -> str:
    return json.dumps(
        {
            "name": "send_email",
            "arguments": {
                "to": d.pii("EMAIL", v.email()),
                "cc": [d.pii("EMAIL", v.email())],
                "subject": f"Your order {v.order_id()}",
                "body": f"Shipped on {v.date()}, total {v.price()}.",
            },
        },
        ensure_ascii=False,
    )


def tool_create_customer(d: Doc) -> str:
    first, last = v.name()
    return json.dumps(
        {
            "customer": {
                "first_name": first,
                "last_name": last,
                "email": d.pii("EMAIL", v.email()),
                "phone": d.pii("PHONE", v.phone()),
                "created_at": v.date(),
                "id": v.a_uuid(),
            }
        },
        ensure_ascii=False,
    )


def tool_payment(d: Doc) -> str:
    return json.dumps(
        {
            "tool": "charge_card",
            "args": {
                "card_number": d.pii("CARD", v.card()),
                "cvc": v.digits(3),
                "amount_cents": v.rng.randint(100, 99999),
                "currency": "EUR",
                "idempotency_key": v.a_uuid(),
            },
        }
    )


def tool_bank_transfer(d: Doc) -> str:
    return json.dumps(
        {
            "name": "sepa_transfer",
            "arguments": {
                "creditor_iban": d.pii("IBAN", v.iban()),
                "amount": v.price(),
                "reference": v.order_id(),
                "execution_date": v.date(),
            },
        },
        ensure_ascii=False,
    )


def tool_bare_phone(d: Doc) -> str:
    key = v.pick(["phone", "phone_number", "mobile", "tel", "cell"])
    return json.dumps(
        {
            "lookup_contact": {
                key: d.pii("PHONE", v.bare_phone()),
                "country": v.pick(["US", "GB", "DE", "FR"]),
                "limit": 5,
            }
        }
    )


def tool_kyc(d: Doc) -> str:
    return json.dumps(
        {
            "verify_identity": {
                "ssn": d.pii("SSN", v.ssn()),
                "dob": v.date(),
                "zip": v.digits(5),
                "request_id": v.a_uuid(),
            }
        }
    )


def tool_login(d: Doc) -> str:
    return json.dumps(
        {
            "name": "login",
            "arguments": {
                "username": v.name()[0],
                "password": d.pii("PASSWORD", v.password()),
                "otp": v.digits(6),
            },
        }
    )


def tool_http(d: Doc) -> str:
    return json.dumps(
        {
            "tool": "http_request",
            "method": "GET",
            "url": f"https://api.example.com/v1/orders/{v.order_id()}",
            "headers": {
                "Authorization": f"Bearer {d.pii('API_KEY', v.opaque_token())}",
                "X-Request-Id": v.a_uuid(),
            },
        }
    )


def tool_geo(d: Doc) -> str:
    return json.dumps(
        {
            "geolocate": {
                "ip": d.pii("IP", v.pick([v.ipv4, v.ipv6])()),
                "timestamp": v.timestamp(),
                "accuracy_km": v.rng.randint(1, 50),
            }
        }
    )


# --- logs ---------------------------------------------------------------------------------------


def log_access(d: Doc) -> str:
    ip = d.pii("IP", v.pick([v.ipv4, v.ipv4, v.ipv6])())
    return (
        f'{ip} - - [{v.date()}] "GET /api/v{v.rng.randint(1, 3)}/items/{v.digits(6)} HTTP/1.1" '
        f'{v.pick(["200", "404", "500"])} {v.rng.randint(100, 99999)} "-" "Mozilla/5.0 (X11; Linux x86_64) '
        f'Chrome/{v.rng.randint(100, 130)}.0.{v.rng.randint(1000, 9999)}.{v.rng.randint(10, 200)}"'
    )


def log_app(d: Doc) -> str:
    return (
        f"{v.date()} INFO  auth.login user={d.pii('EMAIL', v.email())} "
        f"ip={d.pii('IP', v.ipv4())} session={v.a_uuid()} latency_ms={v.rng.randint(1, 900)} "
        f"build={v.git_sha(short=True)} version={v.version()}"
    )


def log_error(d: Doc) -> str:
    return (
        f"ERROR {v.date()} sqlalchemy.exc.OperationalError: could not connect to server at "
        f'"{d.pii("IP", v.ipv4())}", port 5432 (trace {v.a_uuid()})\n'
        f"  DSN: postgresql://app:{d.pii('PASSWORD', v.password(url_safe=True))}@db.internal.example:5432/orders"
    )


def log_key_leak(d: Doc) -> str:
    return (
        f"DEBUG {v.date()} openai request id={v.a_uuid()} headers={{'Authorization': 'Bearer "
        f"{d.pii('API_KEY', v.api_key())}', 'OpenAI-Beta': 'assistants=v2'}} took {v.rng.randint(10, 999)}ms"
    )


# --- code, configs and shell ---------------------------------------------------------------------


def env_file(d: Doc) -> str:
    return "\n".join(
        [
            f"APP_VERSION={v.version()}",
            f"OPENAI_API_KEY={d.pii('API_KEY', v.api_key())}",
            f"DATABASE_URL=postgres://svc:{d.pii('PASSWORD', v.password(url_safe=True))}@{d.pii('IP', v.ipv4())}:5432/app",
            f"SENTRY_RELEASE={v.git_sha()}",
            f"MAX_TOKENS={v.rng.randint(256, 8192)}",
        ]
    )


def aws_config(d: Doc) -> str:
    return (
        f"[default]\naws_access_key_id = {d.pii('API_KEY', 'AKIA' + v.token(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'))}\n"
        f"aws_secret_access_key = {d.pii('API_KEY', v.aws_secret())}\nregion = eu-west-1\n"
        f"# rotated {v.date()}"
    )


def python_snippet(d: Doc) -> str:
    return v.pick(
        [
            lambda: (
                f'client = Anthropic(api_key="{d.pii("API_KEY", v.api_key())}")\nresp = client.messages.create(model="claude-x", max_tokens={v.rng.randint(100, 4000)})'
            ),
            lambda: (
                f'conn = psycopg.connect(host="{d.pii("IP", v.ipv4())}", user="etl", password="{d.pii("PASSWORD", v.password())}", dbname="dw")'
            ),
            lambda: (
                f'headers = {{"Authorization": "Bearer {d.pii("JWT", v.jwt())}"}}\nr = httpx.get(url, headers=headers, timeout={v.rng.randint(5, 60)})'
            ),
            lambda: (
                f'stripe.api_key = "{d.pii("API_KEY", "sk_live_" + v.token(24))}"  # TODO move to vault ({v.date()})'
            ),
            lambda: (
                f'github = Github("{d.pii("API_KEY", "ghp_" + v.token(36))}")\nrepo = github.get_repo("acme/app")'
            ),
        ]
    )()


def curl_command(d: Doc) -> str:
    return v.pick(
        [
            lambda: (
                f"curl -H 'Authorization: Bearer {d.pii('API_KEY', v.api_key())}' https://api.example.com/v1/models"
            ),
            lambda: (
                f"curl -u admin:{d.pii('PASSWORD', v.password(url_safe=True))} https://jenkins.example.com/api/json"
            ),
            lambda: (
                f"git clone https://deploy:{d.pii('PASSWORD', v.password(url_safe=True))}@git.example.com/acme/app.git"
            ),
            lambda: (
                f'curl -H "X-API-Key: {d.pii("API_KEY", v.opaque_token())}" https://api.example.com/v2/items?page={v.rng.randint(1, 9)}'
            ),
        ]
    )()


def yaml_config(d: Doc) -> str:
    return (
        f"service:\n  name: billing\n  version: {v.version()}\n  redis_url: redis://:"
        f"{d.pii('PASSWORD', v.password(url_safe=True))}@cache.internal.example:6379/0\n"
        f"  slack_token: {d.pii('API_KEY', 'xoxb-' + v.digits(12) + '-' + v.digits(13) + '-' + v.token(24))}\n"
        f"  replicas: {v.rng.randint(1, 12)}\n  image: registry.example.com/billing@sha256:{v.token(64, v.HEX)}"
    )


def pem_in_json(d: Doc) -> str:
    key = v.private_key(newline="\\n")
    return (
        f'{{"type": "service_account", "project_id": "demo-{v.digits(6)}", "private_key_id": "{v.token(40, v.HEX)}", '
        f'"private_key": "{d.pii("PRIVATE_KEY", key)}\\n", "client_email": "{d.pii("EMAIL", "svc-" + v.digits(4) + "@demo.iam.example.com")}"}}'
    )


def pem_block(d: Doc) -> str:
    return f"Here is the deploy key, keep it safe:\n{d.pii('PRIVATE_KEY', v.private_key())}\nAdded on {v.date()}."


def jwt_text(d: Doc) -> str:
    return v.pick(
        [
            lambda: f"The session cookie was token={d.pii('JWT', v.jwt())}; Path=/; HttpOnly",
            lambda: f"Decode this JWT for me: {d.pii('JWT', v.jwt())}",
            lambda: (
                f'{{"access_token": "{d.pii("JWT", v.jwt())}", "expires_in": {v.rng.randint(300, 86400)}, "token_type": "Bearer"}}'
            ),
        ]
    )()


def password_prose(d: Doc) -> str:
    return v.pick(
        [
            lambda: f"Login: admin / password: {d.pii('PASSWORD', v.password())}",
            lambda: f"Das WLAN-Passwort ist Passwort: {d.pii('PASSWORD', v.password())}",
            lambda: (
                f"user=jdoe;Password={d.pii('PASSWORD', v.password(url_safe=True))};Server=sql01.example.com;Database=crm"
            ),
            lambda: (
                f"export PGPASSWORD='{d.pii('PASSWORD', v.password())}'\npsql -h db.example.com -U reporting"
            ),
            lambda: (
                f"mongodb+srv://analytics:{d.pii('PASSWORD', v.password(url_safe=True))}@cluster0.example.net/prod?retryWrites=true"
            ),
            lambda: f"Contraseña: {d.pii('PASSWORD', v.password())} (cambiar antes del {v.date()})",
        ]
    )()


# --- chat messages mixing several kinds ----------------------------------------------------------


def chat_mixed(d: Doc) -> str:
    return v.pick(
        [
            lambda: (
                f"hey can you text {d.pii('PHONE', v.phone())} that the server {d.pii('IP', v.ipv4())} is back up? also cc {d.pii('EMAIL', v.email())}"
            ),
            lambda: (
                f"my new number is {d.pii('PHONE', v.phone())}, old one is dead. ping me after {v.date()}"
            ),
            lambda: (
                f"wire it to {d.pii('IBAN', v.iban())} please, invoice {v.order_id()} ({v.price()})"
            ),
            lambda: (
                f"I accidentally pasted my key {d.pii('API_KEY', v.api_key())} in the channel, can you rotate it?"
            ),
            lambda: (
                f"Summary: user {d.pii('EMAIL', v.email())} reported {v.rng.randint(2, 9)} failed logins from {d.pii('IP', v.ipv6())} since {v.date()}."
            ),
        ]
    )()


POSITIVE_TEMPLATES = [
    (ticket_en, 4),
    (ticket_de, 5),
    (ticket_fr, 3),
    (ticket_es, 2),
    (refund_card, 8),
    (identity_check, 8),
    (email_thread, 3),
    (tool_send_email, 3),
    (tool_create_customer, 4),
    (tool_payment, 7),
    (tool_bank_transfer, 7),
    (tool_bare_phone, 3),
    (tool_kyc, 6),
    (tool_login, 2),
    (tool_http, 2),
    (tool_geo, 3),
    (log_access, 4),
    (log_app, 3),
    (log_error, 2),
    (log_key_leak, 3),
    (env_file, 2),
    (aws_config, 2),
    (python_snippet, 4),
    (curl_command, 3),
    (yaml_config, 2),
    (pem_in_json, 5),
    (pem_block, 5),
    (jwt_text, 8),
    (password_prose, 4),
    (chat_mixed, 6),
]
