"""The collector's ClickHouse exporter can write into the store's tables: every column its INSERT
statements name (read from the exporter's own source, in the Go module cache `make collector`
filled) exists in the tables agentel's DDL creates — with `create_schema: false`, a missing
column would only show up as failed inserts in production."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from collector_process import ROOT

from agentel.store.engine import EmbeddedEngine, columns_of
from agentel.store.schema import apply

TABLES = {
    "traces_insert.sql": "otel_traces",
    "logs_insert.sql": "otel_logs",
    "metrics_gauge_insert.sql": "otel_metrics_gauge",
    "metrics_sum_insert.sql": "otel_metrics_sum",
    "metrics_histogram_insert.sql": "otel_metrics_histogram",
    "metrics_exp_histogram_insert.sql": "otel_metrics_exponential_histogram",
    "metrics_summary_insert.sql": "otel_metrics_summary",
}


def exporter_templates() -> Path:
    manifest = yaml.safe_load((ROOT / "collector-config" / "builder-config.yaml").read_text())
    gomod = next(m["gomod"] for m in manifest["exporters"] if "clickhouseexporter" in m["gomod"])
    module, version = gomod.split()
    cache = os.environ.get("AGENTEL_CACHE") or os.path.expanduser("~/.cache/agentel")
    modcache = Path(os.environ.get("GOMODCACHE") or Path(cache) / "collector" / "go" / "mod")
    path = modcache / f"{module}@{version}" / "internal" / "sqltemplates"
    if not path.is_dir():
        pytest.skip(f"clickhouseexporter sources not in the Go module cache ({path}): run `make collector`")
    return path


def inserted_columns(sql: str) -> list[str]:
    body = re.search(r"\((.*?)\)\s*VALUES", sql, re.S)
    assert body, sql
    text = re.sub(r"\{\{[^}]*\}\}", "", body.group(1))
    return [c.strip() for c in text.split(",") if c.strip()]


def test_every_column_the_exporter_inserts_exists_in_the_store(tmp_path: Path) -> None:
    templates = exporter_templates()
    engine = EmbeddedEngine(str(tmp_path))
    try:
        apply(engine)
        for template, table in TABLES.items():
            wanted = inserted_columns((templates / template).read_text())
            if table == "otel_logs":
                wanted.append("EventName")  # added by the exporter when the table has it (ours does)
            have = set(columns_of(engine, table))
            missing = [c for c in wanted if c not in have]
            assert not missing, f"{table} lacks {missing}, which the collector's exporter inserts"
    finally:
        engine.close()
