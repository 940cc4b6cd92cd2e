"""The ``agentel`` command.

Sub-commands are loaded lazily from ``_COMMANDS`` so ``agentel --help`` stays fast: nothing
heavy (chdb, pandas, the OTel SDK) is imported until a command runs.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

# name -> "module:attribute" of a click.Command. One module per command group; the option blocks
# they share live in agentel.cli.options.
_COMMANDS: dict[str, str] = {
    "load": "agentel.cli.store:load_cmd",
    "prune": "agentel.cli.store:prune_cmd",
    "query": "agentel.cli.store:query_cmd",
    "schema": "agentel.cli.schema:schema_group",
    "run": "agentel.cli.core:run_cmd",
    "lint": "agentel.cli.core:lint_cmd",
    "docs": "agentel.cli.core:docs_cmd",
    "policy": "agentel.cli.policy:policy_cmd",
    "runs": "agentel.cli.reports:runs_cmd",
    "run-info": "agentel.cli.reports:run_info_cmd",
    "leaderboard": "agentel.cli.reports:leaderboard_cmd",
    "cost": "agentel.cli.reports:cost_cmd",
    "search": "agentel.cli.search:search_cmd",
    "export-training": "agentel.cli.export:export_training_cmd",
    "metrics": "agentel.cli.export:metrics_group",
    "plots": "agentel.cli.plots:plots_cmd",
    "doctor": "agentel.cli.doctor:doctor_cmd",
    "serve": "agentel.cli.serve:serve_cmd",
    "ui": "agentel.cli.serve:ui_cmd",
    "evals": "agentel.cli.evals:evals_group",
    "feedback": "agentel.cli.feedback:feedback_cmd",
    "alerts": "agentel.cli.alerts:alerts_group",
    "ingest": "agentel.cli.ingest:ingest_cmd",
    "fake": "agentel.cli.fake:fake_cmd",
    "logs": "agentel.cli.logs:logs_cmd",
}

_HELP: dict[str, str] = {
    "load": "Load OTLP-JSON files into the store (new lines only).",
    "prune": "Delete old data and enforce the store's disk budget.",
    "query": "Run SQL on the store, in any ClickHouse output format.",
    "schema": "Print the store's DDL, for one server or a cluster (--cluster NAME).",
    "run": "Run a program with agentel configured (short form of opentelemetry-instrument).",
    "lint": "Report event and metric names used in code that are not registered.",
    "docs": "Regenerate the event and metric reference pages from the registries.",
    "policy": "Check a redaction policy, try it on text, render it for the collector.",
    "runs": "List runs (root spans): duration, spans, errors, LLM calls, tokens, cost.",
    "run-info": "Show a run or trace as a span tree with tokens, cost, scores and errors.",
    "leaderboard": "Rank models (or tasks, operations) by score, confidence, latency, cost.",
    "cost": "LLM cost by model, provider, run, task or day.",
    "search": "Find calls whose prompt, answer, instructions, span name or error holds TEXT.",
    "export-training": "Write judged LLM calls as JSON lines (prompt, answers, scores).",
    "metrics": "Export metric points (json, csv, parquet, xlsx) for a time window.",
    "plots": "Draw PNG charts: rates, latency, tokens, evals, evolution fitness and lineage.",
    "doctor": "Check settings, where data goes, what is reachable, and the store's size.",
    "serve": "Own the store: live UI, OTLP receiver, ClickHouse interface.",
    "ui": "Start serve and open its live web app in the browser.",
    "evals": "Run rule-based checks on stored LLM calls; list and summarize their results.",
    "feedback": "Record good/bad feedback (comment, expected answer) on a trace.",
    "alerts": "Judge the alert rules (error rate, latency, tokens, cost...) on the last window.",
    "ingest": "Turn JSON log files of LLM calls into spans with cost and checks (--watch).",
    "fake": "Record a realistic fake workload (calls, evals, feedback) for demos.",
    "logs": "Print log records as flat JSON lines (ts, severity, event, run_id, step, data), --follow.",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from a static table, so --help imports no command module.
        rows = [(name, _HELP.get(name, "")) for name in sorted(_COMMANDS)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="agentel")
def cli() -> None:
    """agentel: local-first OpenTelemetry for programs that call LLMs."""


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="agentel")


if __name__ == "__main__":
    main()
