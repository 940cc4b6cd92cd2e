"""deploy/docker-compose.yaml: `docker compose config` accepts it, and the stack is wired the way
docs/deploy.md says (files it mounts exist, start order, plugin, local-only ports by default)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "docker-compose.yaml"


def compose_command() -> list[str]:
    """`docker compose` (the CLI plugin `make compose-plugin` installs) or its standalone binary."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    built = subprocess.run(
        ["bash", str(ROOT / "scripts" / "install-compose-plugin.sh"), "--print-path"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(built).exists(), (
        "docker compose is not installed: run `make compose-plugin` (`make test` does)"
    )
    return [built]


def compose_config(env: dict[str, str] | None = None) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CLICKHOUSE_", "AGENTEL_", "GRAFANA_"))}
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE), "config", "--format", "json"],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=DEPLOY,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return compose_config()


def test_compose_config_accepts_the_stack(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"clickhouse", "collector", "prometheus", "grafana"}
    assert config["name"] == "agentel"


def test_every_mounted_file_exists(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).exists(), f"{name}: {volume['source']} is mounted but missing"


def test_collector_starts_after_clickhouse_has_the_schema(config: dict[str, Any]) -> None:
    collector = config["services"]["collector"]
    assert collector["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    health = " ".join(config["services"]["clickhouse"]["healthcheck"]["test"])
    assert "otel_logs" in health  # healthy = the init DDL has run, not merely "the port answers"
    env = collector["environment"]
    assert env["CLICKHOUSE_ENDPOINT"] == "tcp://clickhouse:9000"
    assert env["CLICKHOUSE_DATABASE"] == config["services"]["clickhouse"]["environment"]["CLICKHOUSE_DB"]
    assert collector["build"]["dockerfile"] == "deploy/collector/Dockerfile"
    mounts = {v["target"]: v for v in collector["volumes"]}
    assert Path(mounts["/etc/agentel/otelcol.yaml"]["source"]) == ROOT / "collector-config" / "otelcol.yaml"
    assert mounts["/var/lib/agentel-collector"]["type"] == "volume"  # queues survive container restarts


def test_grafana_gets_the_clickhouse_plugin_and_provisioning(config: dict[str, Any]) -> None:
    grafana = config["services"]["grafana"]
    assert "grafana-clickhouse-datasource" in grafana["environment"]["GF_PLUGINS_PREINSTALL"]
    targets = {v["target"]: Path(v["source"]) for v in grafana["volumes"] if v["type"] == "bind"}
    assert targets["/etc/grafana/provisioning"] == DEPLOY / "grafana" / "provisioning"
    assert targets["/var/lib/grafana/dashboards"] == DEPLOY / "grafana" / "dashboards"
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (DEPLOY / "grafana" / "dashboards" / Path(home).name).exists()


def test_clickhouse_gets_system_log_ttls_and_init_sql(config: dict[str, Any]) -> None:
    targets = {
        v["target"]: Path(v["source"])
        for v in config["services"]["clickhouse"]["volumes"]
        if v["type"] == "bind"
    }
    assert targets["/etc/clickhouse-server/config.d/system-log-ttl.xml"].is_file()
    initdb = targets["/docker-entrypoint-initdb.d"]
    assert any(p.suffix in (".sql", ".sh") for p in initdb.iterdir())


def test_ports_are_local_only_unless_asked(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", (name, port)
    exposed = compose_config({"AGENTEL_BIND": "0.0.0.0"})
    assert {p["host_ip"] for s in exposed["services"].values() for p in s.get("ports", [])} == {"0.0.0.0"}


def test_credentials_come_from_the_environment() -> None:
    cfg = compose_config({"CLICKHOUSE_PASSWORD": "from-env", "CLICKHOUSE_USER": "svc"})
    assert cfg["services"]["clickhouse"]["environment"]["CLICKHOUSE_PASSWORD"] == "from-env"
    assert cfg["services"]["collector"]["environment"]["CLICKHOUSE_PASSWORD"] == "from-env"
    grafana = cfg["services"]["grafana"]["environment"]
    assert "CLICKHOUSE_PASSWORD" not in grafana and "CLICKHOUSE_USER" not in grafana  # not the writer's


def test_grafana_reads_with_its_own_read_only_account() -> None:
    cfg = compose_config({"GRAFANA_CLICKHOUSE_USER": "viewer", "GRAFANA_CLICKHOUSE_PASSWORD": "ro-secret"})
    grafana = cfg["services"]["grafana"]["environment"]
    clickhouse = cfg["services"]["clickhouse"]["environment"]
    assert grafana["GRAFANA_CLICKHOUSE_USER"] == clickhouse["GRAFANA_CLICKHOUSE_USER"] == "viewer"
    assert grafana["GRAFANA_CLICKHOUSE_PASSWORD"] == clickhouse["GRAFANA_CLICKHOUSE_PASSWORD"] == "ro-secret"
    assert grafana["CLICKHOUSE_DB"] == clickhouse["CLICKHOUSE_DB"]
    # the init folder the ClickHouse container runs at first start creates that account
    initdb = next(
        Path(v["source"])
        for v in cfg["services"]["clickhouse"]["volumes"]
        if v["target"] == "/docker-entrypoint-initdb.d"
    )
    assert (initdb / "20-grafana-reader.sh").is_file()


def test_dockerfile_builds_the_same_distribution_as_make_collector() -> None:
    dockerfile = (DEPLOY / "collector" / "Dockerfile").read_text()
    script = (ROOT / "scripts" / "build-collector.sh").read_text()
    version = next(
        line.split("=", 1)[1] for line in script.splitlines() if line.startswith("BUILDER_VERSION=")
    )
    assert f"ARG OCB_VERSION={version.split()[0]}" in dockerfile
    assert "COPY collector-config/builder-config.yaml" in dockerfile
    assert "direct" in dockerfile and "grep -vx direct" in dockerfile  # module proxy only
