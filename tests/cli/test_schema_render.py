"""`agentel schema render [--cluster NAME --shards N --replicas N]` (issue 15 item 17): the cluster DDL
that docs/deploy.md describes, every statement accepted by the engine's parser; the single-node DDL
unchanged (byte for byte the init SQL the deploy template is rendered from)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from agentel.cli import cli as main
from agentel.store import open_engine
from agentel.store.engine import _split_statements
from agentel.store.schema import SchemaOptions, render_all

ROOT = Path(__file__).resolve().parents[2]


def _render(*args: str) -> str:
    r = CliRunner().invoke(main, ["schema", "render", *args])
    assert r.exit_code == 0, r.output
    return r.output


def test_single_node_ddl_is_the_init_sql() -> None:
    assert _render() == render_all(SchemaOptions())
    assert _render("--database", "obs", "--ttl-days", "7") == render_all(
        SchemaOptions(database="obs", ttl_days=7)
    )
    template = (ROOT / "deploy" / "clickhouse" / "initdb" / "agentel-schema.sql.tmpl").read_text()
    body = render_all(SchemaOptions(database="__AGENTEL_DB__", ttl_days=98765))
    assert template.endswith(body)  # the server's init SQL is the same bytes


@pytest.fixture(scope="module")
def cluster_ddl() -> str:
    return _render("--cluster", "agentel", "--shards", "2", "--replicas", "3")


def test_every_cluster_statement_parses(cluster_ddl: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    engine = open_engine(str(tmp_path_factory.mktemp("parse")))
    try:
        statements = _split_statements(cluster_ddl)
        assert len(statements) > 60
        for stmt in statements:
            literal = "'" + stmt.replace("\\", "\\\\").replace("'", "\\'") + "'"
            formatted = engine.query(f"SELECT formatQuery({literal})").scalar()
            assert formatted, stmt[:200]
            # and the AST says what the text says
            assert engine.query("EXPLAIN AST " + stmt).rows, stmt[:200]
    finally:
        engine.close()


def test_cluster_layout(cluster_ddl: str) -> None:
    statements = [re.sub(r"^(--.*\n)+", "", s) for s in _split_statements(cluster_ddl)]
    creates = {
        m.group(1): s for s in statements if (m := re.match(r"CREATE TABLE IF NOT EXISTS agentel\.(\w+)", s))
    }
    single = render_all(SchemaOptions())
    for name in (
        "otel_traces",
        "otel_logs",
        "otel_metrics_sum",
        "llm_calls",
        "eval_results",
        "llm_calls_hourly",
    ):
        local, dist = creates[name + "_local"], creates[name]
        assert (
            " ON CLUSTER agentel " in local
            and "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')"
            in local.replace("ReplicatedAggregatingMergeTree", "ReplicatedMergeTree")
        )
        # the same ORDER BY / PARTITION BY / TTL as the single-node table
        one = re.search(rf"CREATE TABLE IF NOT EXISTS agentel\.{name} \((.*?);", single, re.S)
        assert one is not None
        for clause in ("ORDER BY", "PARTITION BY", "TTL"):
            want = re.search(rf"\n{clause} [^\n]*", one.group(1))
            if want:
                assert want.group(0) in local, (name, clause)
        assert f"ENGINE = Distributed(agentel, agentel, {name}_local, " in dist
    assert "cityHash64(TraceId))" in creates["otel_traces"]
    mvs = [s for s in statements if s.startswith("CREATE MATERIALIZED VIEW")]
    assert mvs and all(" ON CLUSTER agentel" in s and "_local" in s.split(" AS", 1)[0] for s in mvs)
    for s in mvs:  # a materialized view reads local tables only
        for ref in re.findall(r"FROM agentel\.(\w+)", s):
            assert ref.endswith("_local"), s[:120]
    views = [s for s in statements if s.startswith("CREATE OR REPLACE VIEW")]
    assert views and all("_local" not in s for s in views)  # typed views read the Distributed tables
    assert "remote_servers" in cluster_ddl and cluster_ddl.count("<replica>") == 6


def test_bad_cluster_name_is_one_clear_line() -> None:
    r = CliRunner().invoke(main, ["schema", "render", "--cluster", "a b"])
    assert r.exit_code != 0 and "cluster name 'a b'" in r.output and "Traceback" not in r.output
