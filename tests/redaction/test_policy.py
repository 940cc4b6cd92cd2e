"""The policy object: defaults, files (TOML/YAML), code, key matching, and errors that name file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentel
from agentel.redaction import PatternRule, Policy, PolicyError, Redactor, marker
from agentel.redaction.redactor import Tally
from agentel.testing import capture

DEFAULT_DENY = [
    "password",
    "passwd",
    "secret",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "set-cookie",
    "token",
    "access_token",
    "user_email",
    "email",
    "ssn",
    "vcf_content",
    "genotype",
    "sample_id",
]


def test_default_policy_has_the_documented_deny_list_and_rules() -> None:
    p = Policy.default()
    for key in DEFAULT_DENY:
        assert key in p.deny_keys
    names = [r.name for r in p.patterns]
    for rule in ("openai_key", "anthropic_key", "aws_access_key", "github_token", "jwt", "bearer"):
        assert rule in names
    for rule in ("email", "credit_card", "ipv4", "dna", "dna_run"):
        assert rule in names
    assert not p.rule("ipv4").enabled
    assert p.rule("credit_card").validator == "luhn"


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "Password",
        "db_password",
        "http.request.header.authorization",
        "Authorization",
        "apiKey",
        "X-Api-Key",
        "OPENAI_API_KEY",
        "userEmail",
        "user.email",
        "Set-Cookie",
        "refresh_token",
        "sample_id",
        "vcf_content",
    ],
)
def test_denied_keys_match_case_insensitively_and_by_last_part(key: str) -> None:
    assert Policy.default().key_rule(key) == "denied_key"


@pytest.mark.parametrize(
    "key",
    [
        "gen_ai.usage.input_tokens",
        "gen_ai.token.type",
        "gen_ai.request.max_tokens",
        "llm.token_count.prompt",
        "emails_sent",
        "sample_ids_count",
        "user.email.domain",
        "password_length",
        "agentel.run_id",
    ],
)
def test_keys_that_merely_mention_a_word_are_not_denied(key: str) -> None:
    assert Policy.default().key_rule(key) is None


def test_nested_keys_are_checked_at_every_level() -> None:
    red = Redactor(Policy.default())
    t = Tally()
    out = red.mapping({"request": {"Authorization": "Basic abc", "path": "/v1"}}, t)
    assert out == {"request": {"Authorization": marker("denied_key"), "path": "/v1"}}
    assert t.rules == ["denied_key"]


def test_policy_file_toml_extends_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        """
version = 1

[keys]
deny = ["customer_id"]
remove = ["email"]
allow = ["next_page_token"]

[patterns.ticket]
regex = 'TICKET-\\d{6}'
action = "hash"
samples = ["see TICKET-123456"]

[patterns.ipv4]
enabled = true

[events."app.checkout"]
allow = ["cart.size"]
"""
    )
    p = Policy.load(path)
    assert p.source == str(path)
    assert "customer_id" in p.deny_keys and "email" not in p.deny_keys and "password" in p.deny_keys
    assert p.key_rule("customer_id") == "denied_key"
    assert p.key_rule("next_page_token") is None
    assert p.rule("ticket").action == "hash"
    assert p.rule("ipv4").enabled
    assert p.event_allowlist("app.checkout") == ("cart.size",)


def test_policy_file_yaml(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("extends: none\nkeys:\n  deny: [pin]\npatterns:\n  badge:\n    regex: 'BADGE-[0-9]{4}'\n")
    p = Policy.load(path)
    assert p.deny_keys == ("pin",)
    assert [r.name for r in p.patterns] == ["badge"]
    assert Redactor(p).redact_text("BADGE-1234 mail a@b.co") == f"{marker('badge')} mail a@b.co"


def test_policy_in_code_and_through_configure() -> None:
    policy = Policy.default().extend(
        deny_keys=["customer_id"],
        patterns=[PatternRule("ticket", r"TICKET-\d{6}")],
        events={"app.checkout": ["cart.size"]},
    )
    with capture(redaction_policy=policy) as cap:
        with agentel.span("checkout", customer_id="c-9", note="TICKET-000042 done"):
            pass
    attrs = dict(cap.spans[0].attributes)
    assert attrs == {"customer_id": marker("denied_key"), "note": f"{marker('ticket')} done"}


def test_policy_path_through_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[keys]\ndeny = ['pin']\n")
    monkeypatch.setenv("AGENTEL_REDACTION_POLICY", str(path))
    with capture() as cap:
        with agentel.span("s", pin="1234"):
            pass
    assert dict(cap.spans[0].attributes) == {"pin": marker("denied_key")}


# --- bad input: file, line and reason ---------------------------------------------------------

BAD = [
    ("syntax.toml", "version = 1\n[keys\ndeny = []\n", 2, "invalid TOML"),
    ("unknown.toml", "version = 1\n\n[keys]\ndenny = ['x']\n", 4, "unknown key 'denny'"),
    ("regex.toml", "[patterns.bad]\ndescription = 'x'\nregex = 'a(b'\n", 3, "invalid regex"),
    ("empty.toml", "[patterns.all]\nregex = '.*'\n", 2, "matches the empty string"),
    ("type.toml", "[keys]\ndeny = 'password'\n", 2, "must be a list of strings"),
    ("item.toml", "[keys]\ndeny = [\n  'a',\n  '',\n]\n", 4, "deny[1] must be a non-empty string"),
    ("action.toml", "\n[patterns.x]\nregex = 'X-[0-9]+'\naction = 'shred'\n", 4, "action 'shred'"),
    ("validator.toml", "[patterns.x]\nregex = 'X-[0-9]+'\nvalidator = 'nope'\n", 3, "unknown validator"),
    ("newrule.toml", "[patterns.x]\naction = 'hash'\n", 1, "needs regex"),
    ("sample.toml", "[patterns.x]\nregex = 'X-[0-9]+'\nsamples = ['Y-1']\n", 3, "own sample #1"),
    ("version.toml", "version = 2\n", 1, "unsupported policy version"),
    ("extends.toml", "\nextends = 'parent'\n", 2, "extends = 'parent'"),
    ("event.toml", '[events."a.b"]\nkeys = ["x"]\n', 2, "unknown key 'keys'"),
    ("syntax.yaml", "keys:\n  deny: [a, b\npatterns: {}\n", 3, "invalid YAML"),
    ("unknown.yaml", "keys:\n  deny: [a]\npaterns: {}\n", 3, "unknown key 'paterns'"),
    ("regex.yaml", "patterns:\n  bad:\n    regex: '(x'\n", 3, "invalid regex"),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), BAD)
def test_invalid_policy_file_fails_at_load_with_file_line_and_reason(
    tmp_path: Path, name: str, text: str, line: int, reason: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PolicyError) as err:
        Policy.load(path)
    assert err.value.source == str(path)
    assert err.value.line == line, str(err.value)
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_missing_or_unknown_policy_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.load(tmp_path / "nope.toml")
    other = tmp_path / "policy.json"
    other.write_text("{}")
    with pytest.raises(PolicyError, match="use a .toml, .yaml or .yml file"):
        Policy.load(other)


def test_configure_with_a_bad_policy_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[patterns.x]\nregex = '('\n")
    with pytest.raises(agentel.ConfigError, match=r"bad\.toml:2: .*invalid regex"):
        agentel.configure(redaction_policy=str(path), sinks=())


def test_code_policy_is_validated() -> None:
    with pytest.raises(PolicyError, match="invalid regex"):
        Policy.default().extend(patterns=[PatternRule("x", "(")])
    with pytest.raises(PolicyError, match="no rule named"):
        Policy.default().enable("nope")
