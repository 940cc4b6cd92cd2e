"""``agentel policy``: render-collector, check (file:line errors, exit 1), test, default."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from agentel.cli import cli
from agentel.redaction import Policy
from agentel.redaction.collector import render


def test_render_collector_writes_the_processor_config(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[keys]\ndeny = ['customer_id']\n[patterns.ticket]\nregex = 'TICKET-\\d{6}'\n")
    out = tmp_path / "redaction.yaml"
    result = CliRunner().invoke(
        cli, ["policy", "render-collector", "--policy", str(policy), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert f"from {policy}" in text
    doc = yaml.safe_load(text)
    processor = doc["processors"]["redaction"]
    # content capture follows the settings: on by default
    assert processor == render(Policy.load(policy), capture_content=True).processor
    assert r"TICKET-\d{6}" in processor["blocked_values"]
    assert any("customer" in p for p in processor["blocked_key_patterns"])


def test_render_collector_to_stdout_with_a_name() -> None:
    result = CliRunner().invoke(
        cli, ["policy", "render-collector", "--name", "redaction/agentel", "--capture-content"]
    )
    assert result.exit_code == 0
    doc = yaml.safe_load(result.output)
    assert "redaction/agentel" in doc["processors"]
    assert "content capture: on" in result.output


def test_check_reports_file_line_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[patterns.x]\nregex = '(unclosed'\n")
    result = CliRunner().invoke(cli, ["policy", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: rule 'x': invalid regex" in result.output


def test_check_summarizes_a_good_policy_as_json() -> None:
    result = CliRunner().invoke(cli, ["policy", "check", "--format", "json"])
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["source"] == "<default>"
    assert "password" in summary["deny_keys"]
    assert {r["name"] for r in summary["rules"]} >= {"email", "credit_card", "dna"}


def test_test_shows_what_the_policy_does() -> None:
    result = CliRunner().invoke(cli, ["policy", "test", "mail jane@example.com password=x"])
    assert result.exit_code == 0
    assert (
        result.output.strip() == "mail [REDACTED:email] password=[REDACTED:denied_key]   # denied_key, email"
    )
    keyed = CliRunner().invoke(cli, ["policy", "test", "--key", "user_email", "anything"])
    assert keyed.output.startswith("[REDACTED:denied_key]")


def test_default_prints_the_builtin_policy_which_loads_back(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["policy", "default"])
    assert result.exit_code == 0
    path = tmp_path / "copy.toml"
    path.write_text(result.output.replace("version = 1", 'version = 1\nextends = "none"', 1))
    copy = Policy.load(path)
    default = Policy.default()
    assert copy.deny_keys == default.deny_keys
    assert [r.name for r in copy.patterns] == [r.name for r in default.patterns]
