"""Hand-written hard cases: awkward positions, punctuation, formats, and traps.

Each entry is ``(text, [(TYPE, value), ...])``; an empty list is a PII-free
look-alike that must come through unchanged.
"""

# Data tables: one value or template per line reads better than wrapped f-strings.
# ruff: noqa: E501

from __future__ import annotations

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
GOOGLE_KEY = "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
ANTHROPIC_KEY = "sk-ant-api03-" + "Q7v" * 31 + "x9AA"

HARD_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # --- e-mail ---
    ("Contact: jane.doe@example.com.", [("EMAIL", "jane.doe@example.com")]),
    ('<a href="mailto:ops@example.org?subject=Hi">write us</a>', [("EMAIL", "ops@example.org")]),
    (
        "cc x+y@a.b.example.co.uk, JOHN.DOE@EXAMPLE.COM",
        [("EMAIL", "x+y@a.b.example.co.uk"), ("EMAIL", "JOHN.DOE@EXAMPLE.COM")],
    ),
    ("Grüße an jürgen.müller@beispiel.example!", [("EMAIL", "jürgen.müller@beispiel.example")]),
    (
        '{"emails":["a@example.com","b@example.net"]}',
        [("EMAIL", "a@example.com"), ("EMAIL", "b@example.net")],
    ),
    ("(reply-to: billing-team_2@corp.example)", [("EMAIL", "billing-team_2@corp.example")]),
    ("Use logo@2x.png for retina and npm i left-pad@1.3.0", []),
    ("git clone git@github.com:acme/agents.git", []),
    ("The decorator @tool and @types/node are not addresses; neither is user@localhost", []),
    # --- phone ---
    (
        "Call +44 (0)20 7946 0958 or (020) 7946 0959.",
        [("PHONE", "+44 (0)20 7946 0958"), ("PHONE", "(020) 7946 0959")],
    ),
    ("Support: +1 (415) 555-0132 ext. 12", [("PHONE", "+1 (415) 555-0132 ext. 12")]),
    ('<a href="tel:+14155550132">call</a>', [("PHONE", "+14155550132")]),
    ("Rufnummer 0033 1 42 68 53 00 (Paris)", [("PHONE", "0033 1 42 68 53 00")]),
    (
        "Tel: +49 30 901820 / Fax: +49 30 901821",
        [("PHONE", "+49 30 901820"), ("PHONE", "+49 30 901821")],
    ),
    ("phone: 555 0134", [("PHONE", "555 0134")]),
    ("Call me on 07700 900123 after 5pm", [("PHONE", "07700 900123")]),
    (
        "WhatsApp +91 98765 43210 / +86 138 0013 8000",
        [("PHONE", "+91 98765 43210"), ("PHONE", "+86 138 0013 8000")],
    ),
    ("Moscow office: +7 (495) 123-45-67", [("PHONE", "+7 (495) 123-45-67")]),
    ("Téléphone : 01.42.68.53.00", [("PHONE", "01.42.68.53.00")]),
    ("móvil 612 34 56 78", [("PHONE", "612 34 56 78")]),
    ("415.555.0132 is the new line", [("PHONE", "415.555.0132")]),
    ("Call 911 or dial extension 2040; room 415-B", []),
    ("Meeting 2024-03-15 10:00-11:30, dial-in code 8812 7734#", []),
    ("ISBN 978-0-306-40615-7 and ISBN-10 0-306-40615-2", []),
    # --- cards ---
    ("card 4111-1111-1111-1111 exp 12/27", [("CARD", "4111-1111-1111-1111")]),
    (
        "amex: 3782 822463 10005, visa: 4242424242424242.",
        [("CARD", "3782 822463 10005"), ("CARD", "4242424242424242")],
    ),
    (
        "name,card\nAlice,5555555555554444\nBob,6011111111111117\n",
        [("CARD", "5555555555554444"), ("CARD", "6011111111111117")],
    ),
    ("Card ending in 4242 declined (code 05)", []),
    ("Order 4111111111111112 is not a card: the check digit is wrong", []),
    ("Tracking 9400 1000 0000 0000 0000 00 / FedEx 7712 3456 7890", []),
    ("Account 1234 5678 9012 3456 (internal id)", []),
    # --- IBAN ---
    ("IBAN GB82 WEST 1234 5698 7654 32, BIC NWBKGB2L", [("IBAN", "GB82 WEST 1234 5698 7654 32")]),
    ("Konto: DE89370400440532013000.", [("IBAN", "DE89370400440532013000")]),
    (
        "NL91ABNA0417164300 / FR14 2004 1010 0505 0001 3M02 606",
        [("IBAN", "NL91ABNA0417164300"), ("IBAN", "FR14 2004 1010 0505 0001 3M02 606")],
    ),
    ("IBAN:CH9300762011623852957", [("IBAN", "CH9300762011623852957")]),
    ("Pay to BE68 5390 0754 7034 BANK OF EXAMPLE", [("IBAN", "BE68 5390 0754 7034")]),
    ("Reference DE12 3456 7890 1234 5678 90 is a product code, checksum fails", []),
    # --- SSN ---
    ("SSN 078-05-1120 on the W-2", [("SSN", "078-05-1120")]),
    ("ssn: 219 09 9999", [("SSN", "219 09 9999")]),
    ('{"ssn":"536228745"}', [("SSN", "536228745")]),
    ("Part no. 000-12-3456 and 666-12-3456 are not SSNs; neither is 900-12-3456", []),
    # --- IP ---
    (
        "listening on [2001:db8::1]:8080 and fe80::1%eth0",
        [("IP", "2001:db8::1"), ("IP", "fe80::1%eth0")],
    ),
    (
        "mapped ::ffff:192.0.2.128 from http://192.168.0.1:8080/admin",
        [("IP", "::ffff:192.0.2.128"), ("IP", "192.168.0.1")],
    ),
    ("peers=10.0.0.1,10.0.0.2", [("IP", "10.0.0.1"), ("IP", "10.0.0.2")]),
    ("version 1.2.3.4 of the firmware; v10.0.19045.3693; OID 1.3.6.1.4.1.311", []),
    ("std::vector<int> v; Foo::bar(); a::b::c; 12:30:45; de:ad:be:ef", []),
    ("MAC 00:1A:2B:3C:4D:5E, time 23:59:59.999", []),
    # --- keys and tokens ---
    (
        "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9o",
        [("API_KEY", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9o")],
    ),
    (
        f"Authorization: token ghp_{'a1B2c3D4e5' * 3}Z9y8X7",
        [("API_KEY", f"ghp_{'a1B2c3D4e5' * 3}Z9y8X7")],
    ),
    (f"the key: {ANTHROPIC_KEY}.", [("API_KEY", ANTHROPIC_KEY)]),
    (
        f"https://maps.googleapis.com/maps/api/js?key={GOOGLE_KEY}&callback=init",
        [("API_KEY", GOOGLE_KEY)],
    ),
    (
        "aws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        [
            ("API_KEY", "AKIAIOSFODNN7EXAMPLE"),
            ("API_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ],
    ),
    (
        '{"client_secret": "GOCSPX-4rT9kLm2Qw8ZxCv7Bn3Hj6Yu"}',
        [("API_KEY", "GOCSPX-4rT9kLm2Qw8ZxCv7Bn3Hj6Yu")],
    ),
    (
        "SLACK_WEBHOOK=https://hooks.slack.com/services/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",
        [("API_KEY", "T0A1B2C3D/B0E4F5G6H/q1W2e3R4t5Y6u7I8o9P0a1S2")],
    ),
    ("scikit-learn (sk-learn) is a library; task-manager-service-backend-v2 is a repo", []),
    ("Set ANTHROPIC_API_KEY=sk-ant-... in your shell; hf_hub_download fetches files", []),
    ('"next_page_token": "CAESBggBEAEYAQ9zZXQ1X3BhZ2VfdG9rZW4", "max_tokens": 4096', []),
    ("AKIA is the prefix of long-term AWS access key ids; ASIA of temporary ones", []),
    # --- JWT / private keys ---
    (f"https://app.example.com/callback#access_token={JWT}&state=xyz", [("JWT", JWT)]),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n(truncated)",
        [
            (
                "PRIVATE_KEY",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n",
            )
        ],
    ),
    (
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----",
        [],
    ),
    # --- passwords ---
    ("postgres://user:p%40ss%21word@db.example.com:5432/app", [("PASSWORD", "p%40ss%21word")]),
    ("amqp://guest:Gu3st!Pass@rabbit.example.com:5672/vhost", [("PASSWORD", "Gu3st!Pass")]),
    (
        '{"username": "admin", "password": "correct horse battery staple"}',
        [("PASSWORD", "correct horse battery staple")],
    ),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", [("PASSWORD", "dXNlcjpwYXNzd29yZA==")]),
    ("Server=db;Database=crm;User Id=sa;Password=Sql!2019pw;", [("PASSWORD", "Sql!2019pw")]),
    ("Forgot your password? Use the reset link; password: required field", []),
    ("password=${DB_PASSWORD} and passwd: <redacted>", []),
    ("https://docs.example.com/guide and ftp://ftp.example.org/pub/file.txt", []),
]
