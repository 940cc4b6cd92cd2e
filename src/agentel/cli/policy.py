"""``agentel policy``: check a redaction policy, try it on text, render it for the collector."""

from __future__ import annotations

import json
import os
import sys

import click


def _load(path: str | None) -> object:
    from agentel.redaction.policy import load_policy
    from agentel.redaction.source import PolicyError

    try:
        return load_policy(path or os.environ.get("AGENTEL_REDACTION_POLICY") or None)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None


_POLICY_OPTION = click.option(
    "--policy",
    "policy_path",
    default=None,
    metavar="FILE",
    help="Policy file (TOML/YAML); default: AGENTEL_REDACTION_POLICY, else the built-in policy.",
)


@click.group("policy")
def policy_cmd() -> None:
    """Check a redaction policy, try it on text, render it for the collector."""


@policy_cmd.command("render-collector")
@_POLICY_OPTION
@click.option("--out", "out", default="-", show_default=True, help="Where to write the YAML ('-' = stdout).")
@click.option(
    "--name", default="redaction", show_default=True, help="The processor's id in the collector config."
)
@click.option(
    "--capture-content/--no-capture-content",
    default=None,
    help="Whether prompts/completions are captured (default: AGENTEL_CAPTURE_CONTENT); when off, "
    "content keys are blocked by the collector too.",
)
def render_collector_cmd(policy_path: str | None, out: str, name: str, capture_content: bool | None) -> None:
    """Render the policy as the collector's `redaction` processor config (a file for --config)."""
    from agentel.config import ConfigError, Settings
    from agentel.redaction.collector import render, render_yaml
    from agentel.redaction.policy import Policy

    policy = _load(policy_path)
    assert isinstance(policy, Policy)
    if capture_content is None:
        try:
            capture_content = Settings.load().capture_content
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from None
    text = render_yaml(policy, name=name, capture_content=capture_content)
    for rule, why in render(policy, capture_content=capture_content).skipped.items():
        click.echo(f"warning: rule {rule!r} not rendered: {why}", err=True)
    if out == "-":
        click.echo(text, nl=False)
    else:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {out}", err=True)


@policy_cmd.command("check")
@click.argument("path", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check_cmd(path: str | None, fmt: str) -> None:
    """Load PATH (default: AGENTEL_REDACTION_POLICY or the built-in policy) and summarize it.

    Exits 1 with FILE:LINE: reason when the policy is invalid.
    """
    from agentel.redaction.collector import render
    from agentel.redaction.policy import Policy

    policy = _load(path)
    assert isinstance(policy, Policy)
    skipped = render(policy).skipped
    summary = {
        "source": policy.source,
        "deny_keys": list(policy.deny_keys),
        "hash_keys": list(policy.hash_keys),
        "allow_keys": list(policy.allow_keys),
        "rules": [
            {"name": r.name, "action": r.action, "enabled": r.enabled, "description": r.description}
            for r in policy.patterns
        ],
        "events": {e.name: list(e.allow) for e in policy.events},
        "key_value_in_text": policy.key_value_in_text,
        "max_depth": policy.max_depth,
        "not_rendered_for_collector": skipped,
    }
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"policy {policy.source}: OK")
    click.echo(f"  denied keys ({len(policy.deny_keys)}): {', '.join(policy.deny_keys)}")
    if policy.hash_keys:
        click.echo(f"  hashed keys: {', '.join(policy.hash_keys)}")
    for r in policy.patterns:
        state = "on " if r.enabled else "off"
        click.echo(f"  [{state}] {r.name:<16} {r.action:<5} {r.description}")
    for e in policy.events:
        click.echo(f"  event {e.name}: allows {', '.join(e.allow)}")
    for rule, why in skipped.items():
        click.echo(f"  warning: rule {rule!r} is not rendered for the collector: {why}")


@policy_cmd.command("test")
@_POLICY_OPTION
@click.option("--key", default="value", show_default=True, help="Treat the text as the value of this key.")
@click.argument("text", required=False)
def test_cmd(policy_path: str | None, key: str, text: str | None) -> None:
    """Show what the policy does to TEXT (or to each line of stdin)."""
    from agentel.redaction.policy import Policy
    from agentel.redaction.redactor import Redactor, Tally

    policy = _load(policy_path)
    assert isinstance(policy, Policy)
    red = Redactor(policy)
    lines = [text] if text is not None else sys.stdin.read().splitlines()
    for line in lines:
        t = Tally()
        out = red.mapping({key: line}, t).get(key, "")
        fired = f"   # {', '.join(sorted(set(t.rules)))}" if t.rules else ""
        click.echo(f"{out}{fired}")


@policy_cmd.command("default")
def default_cmd() -> None:
    """Print the built-in policy file (a starting point for your own)."""
    from importlib import resources

    click.echo(
        resources.files("agentel.redaction").joinpath("default_policy.toml").read_text(encoding="utf-8"),
        nl=False,
    )
