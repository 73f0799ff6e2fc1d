"""Rules for secrets: provider API keys and tokens, JWTs, private keys; where to look.

Provider keys are found by their documented prefixes (``sk-``, ``AKIA``,
``ghp_`` …) and a random-looking body, which is precise on its own. Secrets
without a prefix (an AWS secret access key, a bearer token, ``password=…``)
are found through the key or header that introduces them.
"""

from __future__ import annotations

import re

from hetero_agents.redaction._locators import Probe, at_needles, at_prefixes
from hetero_agents.redaction._password_rules import PASSWORD_RULES
from hetero_agents.redaction._rules import CONTEXT, Family, Rule
from hetero_agents.redaction._validators import looks_random

_X = re.VERBOSE

# --- provider API keys and tokens ---------------------------------------------------------

_PROVIDER_KEY = re.compile(
    r"""
    (?<![A-Za-z0-9])
    (?:
        sk-[A-Za-z0-9][A-Za-z0-9_\-]{19,}            # OpenAI sk-, sk-proj-; Anthropic sk-ant-
      | (?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}     # Stripe secret and restricted keys
      | whsec_[A-Za-z0-9+/=]{24,}                    # Stripe webhook signing secret
      | (?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])      # AWS access key ids (long-term, STS)
      | gh[pousr]_[A-Za-z0-9]{36,255}                # GitHub classic tokens
      | github_pat_[A-Za-z0-9_]{40,255}              # GitHub fine-grained tokens
      | glpat-[A-Za-z0-9_\-]{20,}                    # GitLab
      | xox[abprse]-[A-Za-z0-9\-]{10,}               # Slack bot/user/app tokens
      | xapp-[0-9]-[A-Za-z0-9\-]{10,}                # Slack app-level tokens
      | AIza[0-9A-Za-z_\-]{35}                       # Google API keys
      | ya29\.[0-9A-Za-z_\-]{20,}                    # Google OAuth access tokens
      | GOCSPX-[0-9A-Za-z_\-]{20,}                   # Google OAuth client secrets
      | hf_[A-Za-z0-9]{30,}                          # Hugging Face
      | npm_[A-Za-z0-9]{36}                          # npm
      | pypi-AgE[A-Za-z0-9_\-]{50,}                  # PyPI upload tokens
      | SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}   # SendGrid
      | gsk_[A-Za-z0-9]{40,}                         # Groq
      | r8_[A-Za-z0-9]{30,}                          # Replicate
      | xai-[A-Za-z0-9]{40,}                         # xAI
      | do[por]_v1_[a-f0-9]{64}                      # DigitalOcean
      | shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}           # Shopify
      | key-[0-9a-f]{32}                             # Mailgun
    )
    """,
    _X,
)
# Webhook URLs whose path is the secret.
_WEBHOOK = re.compile(
    r"""
      hooks\.slack\.com/services/(?P<slack>T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,})
  | discord(?:app)?\.com/api/webhooks/(?P<discord>[0-9]{15,21}/[A-Za-z0-9_\-]{40,})
    """,
    _X,
)
# A 40-character AWS secret access key, recognisable only by the name in front of it.
_AWS_SECRET = re.compile(
    r"""
    (?i:(?:[a-z0-9]+[_\-])*(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|aws_?secret))
    ["']?\s*[:=]\s*["']?
    (?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])
    """,
    _X,
)
# "api_key": "…", OPENAI_API_KEY=…, clientSecret: …, "token": "…". Matched at the start
# of the key name, which may carry prefixes (OPENAI_, x-); a bare "token" or "secret"
# must be the whole name, so next_page_token is not a secret.
_NAMED_SECRET = re.compile(
    r"""
    (?i:
        (?:[a-z0-9]+[_\-])*
        (?:api[_\-]?(?:key|secret|token)|apikey|client[_\-]?secret|account[_\-]?key|
           (?:access|auth|refresh|bearer|private|session|id|personal[_\-]?access)[_\-]?token|
           secret[_\-]?key|signing[_\-]?key|webhook[_\-]?secret|encryption[_\-]?key)
      | token | secret
    )
    ["']?\s*[:=]\s*["']?
    (?P<value>[A-Za-z0-9_\-./+=~]{16,})
    """,
    _X,
)
# Authorization: Bearer <token>. A JWT after "Bearer" is left to the JWT rule.
_BEARER = re.compile(r"(?i:bearer)\s+(?P<value>(?!eyJ)[A-Za-z0-9\-._~+/]{16,}=*)")


def _random_token(value: str) -> bool:
    # AWS key ids are base32 upper case: one in thirty has no digit, the prefix suffices.
    return value.startswith(("AKIA", "ASIA")) or looks_random(value, 16)


API_KEY_RULES = (
    Rule("API_KEY", _PROVIDER_KEY, validate=_random_token),
    Rule("API_KEY", _WEBHOOK, group=("slack", "discord")),
    Rule("API_KEY", _AWS_SECRET, group="value", validate=_random_token),
    Rule("API_KEY", _NAMED_SECRET, group="value", validate=_random_token, tier=CONTEXT),
    Rule("API_KEY", _BEARER, group="value", validate=_random_token, tier=CONTEXT),
)

# --- JWTs and private keys ------------------------------------------------------------------

_JWT = re.compile(
    r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*"
)
JWT_RULES = (Rule("JWT", _JWT),)

_PRIVATE_KEY = re.compile(
    r"""
    -----BEGIN[ ](?P<kind>(?:[A-Z0-9]+[ ])*)PRIVATE[ ]KEY(?:[ ]BLOCK)?-----
    (?:
        [\s\S]*?-----END[ ](?P=kind)PRIVATE[ ]KEY(?:[ ]BLOCK)?-----
      | [A-Za-z0-9+/=\s\\:,\-]*                    # a block cut off before its END line
    )
    """,
    _X,
)
PRIVATE_KEY_RULES = (Rule("PRIVATE_KEY", _PRIVATE_KEY),)

# --- families (where to look) -----------------------------------------------------------

_KEY_PREFIXES = (
    "sk-", "sk_", "rk_", "whsec_", "AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
    "github_pat_", "glpat-", "xoxa-", "xoxb-", "xoxe-", "xoxp-", "xoxr-", "xoxs-", "xapp-",
    "AIza", "ya29.", "GOCSPX-", "hf_", "npm_", "pypi-", "SG.", "gsk_", "r8_", "xai-",
    "dop_v1_", "doo_v1_", "dor_v1_", "shpat_", "shpss_", "shpca_", "shppa_", "key-",
)  # fmt: skip
_after_prefix = at_prefixes(_KEY_PREFIXES)


def _provider_key_starts(probe: Probe) -> list[int]:
    return _after_prefix(probe) if len(probe.text) >= 20 else []


_WEBHOOK_HOSTS = ("hooks.slack.com/", "discord.com/api/", "discordapp.com/api/")
_KEY_NAME_CHARS = "_-"
_SECRET_WORDS = (
    "secret", "token", "_key", "-key", "apikey", "accountkey", "signingkey", "encryptionkey",
)  # fmt: skip
_PASSWORD_WORDS = ("pass", "pwd", "contrase", "senha", "kennwort", "wachtwoord", "parola")


# Words of which a secret field's name holds one (``api_key``, ``client_secret`` …).
# For a long text the keyword searches of the locator are cheaper than this test first.
_SHORT = 512


def _may_name_a_secret(probe: Probe) -> bool:
    if len(probe.text) > _SHORT:
        return True
    lower = probe.lower
    return (
        "key" in lower or "secret" in lower or "token" in lower or "pass" in lower
        or "pwd" in lower or "authorization" in lower or "contrase" in lower
        or "senha" in lower or "kennwort" in lower or "wachtwoord" in lower or "parola" in lower
    )  # fmt: skip


_secret_names = at_needles(_SECRET_WORDS, in_lower=True, word_end=True, back_over=_KEY_NAME_CHARS)
_password_names = at_needles(_PASSWORD_WORDS, in_lower=True, back_over=_KEY_NAME_CHARS)
_authorization = at_needles(("authorization",), in_lower=True, back_over="-")


def _field_starts(probe: Probe) -> list[int]:
    """Where a field that holds a secret may start (``api_key=``, ``password:`` …)."""
    starts = _secret_names(probe) + _password_names(probe) + _authorization(probe)
    return sorted(set(starts)) if len(starts) > 1 else starts


def _may_hold_url_password(probe: Probe) -> bool:
    return "@" in probe.text


def _may_hold_user_option(probe: Probe) -> bool:
    return ":" in probe.text


SECRET_FAMILIES = (
    Family(
        "provider-keys",
        API_KEY_RULES[:1],
        needs=("_", "-", "AKIA", "ASIA", "AIza", "ya29.", "SG."),
        starts=_provider_key_starts,
    ),
    Family(
        "webhooks",
        API_KEY_RULES[1:2],
        needs=_WEBHOOK_HOSTS,
        starts=at_needles(_WEBHOOK_HOSTS),
    ),
    Family("jwt", JWT_RULES, needs=("eyJ",), starts=at_needles(("eyJ",))),
    Family(
        "private-key",
        PRIVATE_KEY_RULES,
        needs=("-----BEGIN ",),
        starts=at_needles(("-----BEGIN ",)),
    ),
    Family(
        "url-password",
        PASSWORD_RULES[:1],
        needs=("://",),
        starts=at_needles(("://",), back_over="+.-"),
        requires=_may_hold_url_password,
    ),
    Family(
        "fields",
        (API_KEY_RULES[2], API_KEY_RULES[3], PASSWORD_RULES[1], PASSWORD_RULES[2]),
        needs=(":", "="),
        starts=_field_starts,
        requires=_may_name_a_secret,
    ),
    Family(
        "bearer",
        API_KEY_RULES[4:],
        needs=("earer", "EARER"),
        starts=at_needles(("bearer",), in_lower=True),
    ),
    Family(
        "user-option",
        PASSWORD_RULES[3:],
        needs=("-u ", "--user"),
        starts=at_needles(("-u ", "--user ", "--user=")),
        requires=_may_hold_user_option,
    ),
)
