"""The stack's server configs: ClickHouse system-log TTLs are valid ClickHouse (checked on the
embedded engine), Prometheus' config passes promtool, Grafana provisioning points at the store."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# The system log tables that exist and are on by default in current ClickHouse releases.
BIG_SYSTEM_LOGS = {"query_log", "trace_log", "part_log", "metric_log", "asynchronous_metric_log", "text_log"}


def system_logs() -> list[ET.Element]:
    root = ET.parse(DEPLOY / "clickhouse" / "config.d" / "system-log-ttl.xml").getroot()
    assert root.tag == "clickhouse"
    return list(root)


def test_every_system_log_table_has_a_ttl() -> None:
    logs = system_logs()
    assert {e.tag for e in logs} >= BIG_SYSTEM_LOGS
    for element in logs:
        assert element.findtext("database") == "system"
        assert element.findtext("table") == element.tag
        assert "INTERVAL" in (element.findtext("ttl") or ""), element.tag


@pytest.mark.parametrize("element", system_logs(), ids=lambda e: e.tag)
def test_ttl_partition_and_settings_are_valid_clickhouse(element: ET.Element, tmp_path: Path) -> None:
    from chdb import session

    sess = session.Session(str(tmp_path / "ch"))
    try:
        sess.query(
            f"CREATE TABLE t_{element.tag} (event_date Date, event_time DateTime) ENGINE = MergeTree "
            f"PARTITION BY {element.findtext('partition_by')} ORDER BY event_time "
            f"TTL {element.findtext('ttl')} SETTINGS {element.findtext('settings')}"
        )
        sess.query(f"INSERT INTO t_{element.tag} VALUES (today(), now()), (today() - 400, now() - 400*86400)")
        sess.query(f"OPTIMIZE TABLE t_{element.tag} FINAL")
        assert sess.query(f"SELECT count() FROM t_{element.tag}", "CSV").bytes().strip() == b"1"
    finally:
        sess.close()


def test_prometheus_config_passes_promtool() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool not found: run `make system-deps`"
    out = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(DEPLOY / "prometheus" / "prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    jobs = {
        j["job_name"]: j
        for j in yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    }
    assert jobs["agentel-collector"]["honor_labels"] is True  # job/instance come from the SDK's resource
    assert jobs["agentel-collector"]["static_configs"][0]["targets"] == ["collector:8889"]


def test_grafana_datasource_points_at_the_store_tables() -> None:
    doc = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "agentel.yaml").read_text())
    ds = {d["uid"]: d for d in doc["datasources"]}
    ch = ds["agentel-clickhouse"]
    assert ch["type"] == "grafana-clickhouse-datasource"
    assert (
        ch["jsonData"]["logs"]["defaultTable"] == "otel_logs"
        and ch["jsonData"]["logs"]["otelEnabled"] is True
    )
    assert (
        ch["jsonData"]["traces"]["defaultTable"] == "otel_traces" and ch["jsonData"]["traces"]["otelEnabled"]
    )
    # never a literal secret, and Grafana's read-only account, not the collector's
    assert ch["secureJsonData"]["password"] == "${GRAFANA_CLICKHOUSE_PASSWORD}"
    assert ch["jsonData"]["username"] == "${GRAFANA_CLICKHOUSE_USER}"
    assert ds["agentel-prometheus"]["url"] == "http://prometheus:9090"
    providers = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "agentel.yaml").read_text()
    )
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
