"""The store's raw tables are the collector ClickHouse exporter's own: the exporter's CREATE TABLE
templates (from the Go module cache `make collector` fills, at the version the collector manifest
pins) are run on the embedded engine next to ours, and every column's name, type and
MATERIALIZED expression, and each table's partition and sort keys, must be equal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from agentel.store import apply, open_engine

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = {
    "traces_table.sql": "otel_traces",
    "traces_id_ts_lookup_table.sql": "otel_traces",  # its name is "<traces table>_trace_id_ts"
    "logs_table.sql": "otel_logs",
    "metrics_gauge_table.sql": "otel_metrics_gauge",
    "metrics_sum_table.sql": "otel_metrics_sum",
    "metrics_histogram_table.sql": "otel_metrics_histogram",
    "metrics_exp_histogram_table.sql": "otel_metrics_exponential_histogram",
    "metrics_summary_table.sql": "otel_metrics_summary",
}


def exporter_templates() -> Path:
    manifest = yaml.safe_load((ROOT / "collector-config" / "builder-config.yaml").read_text())
    gomod = next(m["gomod"] for m in manifest["exporters"] if "clickhouseexporter" in m["gomod"])
    module, version = gomod.split()
    cache = os.environ.get("AGENTEL_CACHE") or os.path.expanduser("~/.cache/agentel")
    modcache = Path(os.environ.get("GOMODCACHE") or Path(cache) / "collector" / "go" / "mod")
    path = modcache / f"{module}@{version}" / "internal" / "sqltemplates"
    if not path.is_dir():
        pytest.skip(
            f"the clickhouseexporter sources are not in the Go module cache ({path}): run `make collector`"
        )
    return path


def render_upstream(text: str, db: str, table: str) -> str:
    """Fill the exporter's printf/text-template placeholders: no cluster, MergeTree, no TTL."""
    # text/template: keep the else-branch of {{- if .HasFullTextSearch}} (bloom filters, as ours)
    text = re.sub(
        r"\{\{-? ?if \.HasFullTextSearch\}\}.*?\{\{-? ?else\}\}(.*?)\{\{-? ?end\}\}", r"\1", text, flags=re.S
    )
    text = (
        text.replace("{{ident .Database}}", db)
        .replace("{{ident .TableName}}", table)
        .replace("{{.ClusterString}}", "")
        .replace("{{.Engine}}", "MergeTree()")
        .replace("{{.TTL}}", "")
    )
    args = iter([db, table, "", "MergeTree()", ""])  # database, table, cluster, engine, ttl
    text = re.sub(r"%[qs]", lambda m: next(args), text)
    return text.replace('"', "")


def test_raw_tables_equal_the_exporters_tables(tmp_path: Path) -> None:
    templates = exporter_templates()
    engine = open_engine(str(tmp_path))
    try:
        apply(engine)
        engine.execute("CREATE DATABASE IF NOT EXISTS upstream")
        names = []
        for template, table in TEMPLATES.items():
            engine.execute(render_upstream((templates / template).read_text(), "upstream", table))
            names.append(table + "_trace_id_ts" if "trace_id_ts" in template else table)

        def columns(db: str, table: str) -> list[tuple[str, str, str, str]]:
            return [
                tuple(r)
                for r in engine.query(
                    "SELECT name, type, default_kind, default_expression FROM system.columns "
                    "WHERE database = {db:String} AND table = {t:String} ORDER BY position",
                    {"db": db, "t": table},
                ).rows
            ]

        def keys(db: str, table: str) -> tuple[str, str]:
            r = engine.query(
                "SELECT partition_key, sorting_key FROM system.tables WHERE database = {db:String} AND name = {t:String}",
                {"db": db, "t": table},
            )
            return tuple(r.rows[0])  # type: ignore[return-value]

        for table in names:
            assert columns(engine.database, table) == columns("upstream", table), table
            assert keys(engine.database, table) == keys("upstream", table), table
    finally:
        engine.close()
