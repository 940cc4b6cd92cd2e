"""The compose stack's ClickHouse init SQL is the store's DDL: up to date, and what the init script
feeds `clickhouse client` builds the whole schema (run here on the embedded engine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INITDB = ROOT / "deploy" / "clickhouse" / "initdb"


def test_init_sql_template_is_the_rendered_store_ddl() -> None:
    sys.path.insert(0, str(ROOT / "deploy" / "clickhouse"))
    try:
        import render_schema
    finally:
        sys.path.pop(0)
    assert (INITDB / "agentel-schema.sql.tmpl").read_text() == render_schema.template(), (
        "deploy/clickhouse/initdb/agentel-schema.sql.tmpl is stale: run python deploy/clickhouse/render_schema.py"
    )


def run_init_script(
    tmp_path: Path, script: str = "10-agentel-schema.sh", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run an init script with a stand-in `clickhouse` that records what it was sent."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "clickhouse"
    fake.write_text(f'#!/bin/bash\necho "$@" > {tmp_path}/args\ncat > {tmp_path}/sql\n')
    fake.chmod(0o755)
    return subprocess.run(
        ["bash", str(INITDB / script)],
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_init_script_builds_the_schema_on_clickhouse(tmp_path: Path) -> None:
    from agentel.store.engine import EmbeddedEngine, _split_statements

    out = run_init_script(
        tmp_path, CLICKHOUSE_DB="stackdb", CLICKHOUSE_USER="u", CLICKHOUSE_PASSWORD="p", AGENTEL_TTL_DAYS="45"
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "args").read_text().split() == [
        "client",
        "--user",
        "u",
        "--password",
        "p",
        "--multiquery",
    ]
    sql = (tmp_path / "sql").read_text()
    assert "__AGENTEL_DB__" not in sql and "98765" not in sql
    assert "toIntervalDay(45)" in sql
    engine = EmbeddedEngine(str(tmp_path / "ch"), database="stackdb")
    try:
        for statement in _split_statements(sql):
            engine.execute(statement)
        tables = {
            r[0] for r in engine.query("SELECT name FROM system.tables WHERE database = 'stackdb'").rows
        }
    finally:
        engine.close()
    # The tables the collector writes, and what the dashboards read.
    assert {"otel_traces", "otel_logs", "otel_metrics_sum", "otel_metrics_histogram"} <= tables
    assert {
        "llm_logs",
        "feedback",
        "eval_checks",
        "evolution_runs",
        "generations",
        "individuals",
        "code_lineages",
    } <= tables


def test_init_script_rejects_a_bad_ttl(tmp_path: Path) -> None:
    out = run_init_script(tmp_path, AGENTEL_TTL_DAYS="forever")
    assert out.returncode != 0 and "AGENTEL_TTL_DAYS" in out.stderr


def test_grafana_gets_a_read_only_account_on_the_agentel_database(tmp_path: Path) -> None:
    import chdb

    password = "it's a \\ secret"
    out = run_init_script(
        tmp_path,
        "20-grafana-reader.sh",
        CLICKHOUSE_DB="stackdb",
        CLICKHOUSE_USER="admin",
        CLICKHOUSE_PASSWORD="p",
        GRAFANA_CLICKHOUSE_USER="viewer",
        GRAFANA_CLICKHOUSE_PASSWORD=password,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "args").read_text().split() == [
        "client",
        "--user",
        "admin",
        "--password",
        "p",
        "--multiquery",
    ]
    sql = (tmp_path / "sql").read_text()
    statements = [
        " ".join(line for line in s.splitlines() if not line.startswith("--")).strip() for s in sql.split(";")
    ]
    statements = [s for s in statements if s]
    assert len(statements) == 2
    create, grant = statements
    assert "readonly = 1" in create and "max_execution_time CHANGEABLE_IN_READONLY" in create
    assert grant == "GRANT SELECT ON stackdb.* TO viewer"  # reads agentel's tables only, writes nothing
    assert password not in sql.split("IDENTIFIED", 1)[0]  # the secret appears only where it belongs
    for statement in statements:  # valid ClickHouse, the password one string literal
        literal = "'" + statement.replace("\\", "\\\\").replace("'", "\\'") + "'"
        formatted = chdb.query(f"SELECT formatQuery({literal})", "TSVRaw").bytes().decode()
        assert formatted.startswith(("CREATE USER IF NOT EXISTS viewer", "GRANT SELECT ON stackdb.*"))
    ident = create.split("BY ", 1)[1].split(" SETTINGS")[0]
    assert chdb.query(f"SELECT {ident}", "TSVRaw").bytes().decode().strip() == password


def test_grafana_reader_script_refuses_an_empty_password(tmp_path: Path) -> None:
    out = run_init_script(tmp_path, "20-grafana-reader.sh", CLICKHOUSE_DB="stackdb")
    assert out.returncode != 0 and "GRAFANA_CLICKHOUSE_PASSWORD" in out.stderr


def test_grafana_reader_script_reaches_a_remote_server_from_the_k8s_job(tmp_path: Path) -> None:
    out = run_init_script(
        tmp_path,
        "20-grafana-reader.sh",
        CLICKHOUSE_ENDPOINT="tcp://clickhouse.clickhouse.svc.cluster.local:9000",
        CLICKHOUSE_DB="agentel",
        CLICKHOUSE_USER="admin",
        CLICKHOUSE_PASSWORD="p",
        GRAFANA_CLICKHOUSE_PASSWORD="ro",
    )
    assert out.returncode == 0, out.stderr
    args = (tmp_path / "args").read_text().split()
    assert args[:5] == ["client", "--host", "clickhouse.clickhouse.svc.cluster.local", "--port", "9000"]
