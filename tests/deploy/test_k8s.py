"""deploy/k8s: kustomize renders it, the collector gets the shipped config, and the Deployment,
Service and volume fit together (selectors, ports, env the config reads, a persistent queue)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OTELCOL = ROOT / "collector-config" / "otelcol.yaml"


@pytest.fixture(scope="module")
def objects() -> dict[str, dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl not found (it renders the kustomization offline: `kubectl kustomize deploy/k8s`)"
    out = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return {f"{o['kind']}/{o['metadata']['name']}": o for o in yaml.safe_load_all(out.stdout) if o}


def by_kind(objects: dict[str, dict[str, Any]], kind: str, name: str = "") -> dict[str, Any]:
    """The one object of ``kind`` (whose name starts with ``name``: generated names get a hash)."""
    (obj,) = [o for key, o in objects.items() if key.startswith(f"{kind}/{name}")]
    return obj


def test_the_configmap_is_the_shipped_collector_config(objects: dict[str, dict[str, Any]]) -> None:
    assert (K8S / "otelcol.yaml").read_text() == OTELCOL.read_text(), (
        "deploy/k8s/otelcol.yaml is stale: cp collector-config/otelcol.yaml deploy/k8s/"
    )
    cm = by_kind(objects, "ConfigMap", "agentel-collector-config")
    assert cm["data"]["otelcol.yaml"] == OTELCOL.read_text()
    assert cm["metadata"]["namespace"] == "agentel"


def test_deployment_service_and_volume_fit_together(objects: dict[str, dict[str, Any]]) -> None:
    dep = by_kind(objects, "Deployment")
    svc = by_kind(objects, "Service")
    pvc = by_kind(objects, "PersistentVolumeClaim")
    cm = by_kind(objects, "ConfigMap", "agentel-collector-config")
    pod = dep["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items()
    assert dep["spec"]["strategy"]["type"] == "Recreate"  # one writer of the bbolt queue at a time

    (container,) = pod["spec"]["containers"]
    port_names = {p["name"] for p in container["ports"]}
    for port in svc["spec"]["ports"]:
        assert port["targetPort"] in port_names
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == cm["metadata"]["name"]  # hashed name rewritten
    assert volumes["data"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert f"--config={mounts['config']}/otelcol.yaml" in container["args"]

    env = {e["name"]: e for e in container["env"]}
    assert env["AGENTEL_COLLECTOR_DIR"]["value"] == mounts["data"]
    # Every variable the config reads without a usable default is set (credentials from the Secret).
    used = set(re.findall(r"\$\{env:([A-Z0-9_]+)", OTELCOL.read_text()))
    for var in ("CLICKHOUSE_ENDPOINT", "CLICKHOUSE_USERNAME", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_DATABASE"):
        assert var in used and var in env
        assert (
            env[var]["valueFrom"]["secretKeyRef"]["name"]
            == by_kind(objects, "Secret", "agentel-clickhouse")["metadata"]["name"]
        )
    assert set(env) <= used, set(env) - used  # no variable the config does not read
    for var in ("AGENTEL_COLLECTOR_OTLP_GRPC_ENDPOINT", "AGENTEL_COLLECTOR_OTLP_HTTP_ENDPOINT"):
        assert env[var]["value"].startswith("0.0.0.0:")  # the config's default is localhost-only
    probe_port = container["readinessProbe"]["httpGet"]["port"]
    assert probe_port in port_names
    health = next(p for p in container["ports"] if p["name"] == probe_port)
    assert env["AGENTEL_COLLECTOR_HEALTH_ENDPOINT"]["value"].endswith(f":{health['containerPort']}")


def test_grafana_gets_a_read_only_account_created_by_the_compose_script(
    objects: dict[str, dict[str, Any]],
) -> None:
    initdb = ROOT / "deploy" / "clickhouse" / "initdb"
    for copy, source in (
        ("grafana-reader.sh", "20-grafana-reader.sh"),
        ("grafana-reader.sql.tmpl", "grafana-reader.sql.tmpl"),
    ):
        assert (K8S / copy).read_text() == (initdb / source).read_text(), (
            f"deploy/k8s/{copy} is stale: cp deploy/clickhouse/initdb/{source} deploy/k8s/{copy}"
        )
    job = by_kind(objects, "Job", "agentel-grafana-reader")
    scripts = by_kind(objects, "ConfigMap", "agentel-grafana-reader-scripts")
    reader = by_kind(objects, "Secret", "agentel-grafana-reader")
    assert set(reader["stringData"]) == {"username", "password"}
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["volumes"][0]["configMap"]["name"] == scripts["metadata"]["name"]  # hashed name rewritten
    mount = container["volumeMounts"][0]["mountPath"]
    assert container["command"] == ["bash", f"{mount}/grafana-reader.sh"]
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert (
        env["GRAFANA_CLICKHOUSE_USER"]["name"]
        == env["GRAFANA_CLICKHOUSE_PASSWORD"]["name"]
        == "agentel-grafana-reader"
    )
    script = (K8S / "grafana-reader.sh").read_text()
    for name in env:  # every variable the Job sets is one the script reads
        assert name in script, name
