"""collector-config/otelcol.yaml: `otelcol validate` passes on the built distribution, and the
properties the deployment relies on (memory limiter first, persistent batched ClickHouse queue,
no schema creation, env-driven endpoints, files for everything) hold."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from collector_process import CONFIG, ROOT, CollectorProcess, load_config, without_clickhouse

MANIFEST = ROOT / "collector-config" / "builder-config.yaml"


def _validate(binary: Path, config: dict[str, Any], tmp_path: Path, env: dict[str, str] | None = None) -> str:
    proc = CollectorProcess(binary, config, tmp_path, env)
    result = proc.validate()
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_shipped_config_validates_with_defaults(collector_bin: Path) -> None:
    result = subprocess.run(
        [str(collector_bin), "validate", "--config", str(CONFIG)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_config_validates_with_every_variable_set(collector_bin: Path, tmp_path: Path) -> None:
    env = {
        "CLICKHOUSE_ENDPOINT": "https://ch.example.internal:8443?dial_timeout=5s",
        "CLICKHOUSE_USERNAME": "otel",
        "CLICKHOUSE_PASSWORD": "s3cret",
        "CLICKHOUSE_DATABASE": "agentel",
        "CLICKHOUSE_CLUSTER": "agentel_cluster",
        "AGENTEL_COLLECTOR_QUEUE_SIZE": "20000",
        "AGENTEL_COLLECTOR_QUEUE_FSYNC": "true",
        "AGENTEL_COLLECTOR_MEMORY_LIMIT_PERCENT": "70",
        "AGENTEL_COLLECTOR_MEMORY_SPIKE_PERCENT": "15",
        "AGENTEL_COLLECTOR_FILE_MAX_MB": "10",
        "AGENTEL_COLLECTOR_FILE_MAX_BACKUPS": "3",
        "AGENTEL_COLLECTOR_LOG_LEVEL": "debug",
    }
    _validate(collector_bin, load_config(), tmp_path, env)


def test_the_files_only_variant_used_by_the_e2e_tests_validates(collector_bin: Path, tmp_path: Path) -> None:
    _validate(collector_bin, without_clickhouse(load_config()), tmp_path)


def test_validate_really_rejects_mistakes(collector_bin: Path, tmp_path: Path) -> None:
    broken = load_config()
    broken["exporters"]["clickhouse"]["sending_queue"]["batch"]["min_sizee"] = 10
    proc = CollectorProcess(collector_bin, broken, tmp_path)
    result = proc.validate()
    assert result.returncode != 0
    assert "min_sizee" in result.stdout + result.stderr
    bad_ottl = load_config()
    bad_ottl["processors"]["transform/genai"]["trace_statements"].append('set(span.attributes["x"], ')
    (tmp_path / "b").mkdir()
    result = CollectorProcess(collector_bin, bad_ottl, tmp_path / "b").validate()
    assert result.returncode != 0


def test_every_configured_component_is_in_the_distribution(collector_bin: Path) -> None:
    out = subprocess.run(
        [str(collector_bin), "components"], capture_output=True, text=True, check=True, timeout=60
    )
    built = yaml.safe_load(out.stdout)
    names = {
        kind: {c["name"] for c in built.get(kind) or []}
        for kind in ("receivers", "processors", "exporters", "extensions")
    }
    cfg = load_config()
    for kind in names:
        for component_id in cfg.get(kind, {}):
            assert component_id.split("/")[0] in names[kind], (kind, component_id, names[kind])
    # Every component the manifest asks for is really compiled in (ocb names differ from the module names).
    assert {"otlp"} <= names["receivers"]
    assert {"memory_limiter", "batch", "redaction", "transform", "attributes"} <= names["processors"]
    assert {"clickhouse", "prometheus", "file", "debug", "otlp_grpc", "otlp_http"} <= names["exporters"]
    assert {"health_check", "file_storage"} <= names["extensions"]


def test_pipelines_have_the_properties_the_deployment_relies_on() -> None:
    cfg = load_config()
    pipelines = cfg["service"]["pipelines"]
    assert set(pipelines) == {"traces", "logs", "metrics"}
    for name, p in pipelines.items():
        assert p["processors"][0] == "memory_limiter", name
        assert "redaction" in p["processors"], name
        assert "batch" not in p["processors"], (
            f"{name}: batch processor acks before export; use sending_queue.batch"
        )
        assert "clickhouse" in p["exporters"], name
        assert f"file/{name}" in p["exporters"], name
    assert "prometheus" in pipelines["metrics"]["exporters"]

    ch = cfg["exporters"]["clickhouse"]
    assert ch["create_schema"] is False
    assert ch["sending_queue"]["storage"] == "file_storage/queue"
    assert ch["sending_queue"]["batch"]["min_size"] > 0
    assert "file_storage/queue" in cfg["service"]["extensions"]
    for sig in ("traces", "logs", "metrics"):
        fe = cfg["exporters"][f"file/{sig}"]
        assert fe["format"] == "json"
        assert fe["rotation"]["max_megabytes"]  # rotation also means unbuffered writes: nothing lost on kill


def test_endpoints_paths_and_credentials_come_from_the_environment() -> None:
    text = CONFIG.read_text()
    cfg = yaml.safe_load(text)
    env_ref = re.compile(r"^\$\{env:[A-Z0-9_]+(:-[^}]*)?\}")

    def check(value: Any, where: str) -> None:
        assert isinstance(value, str) and env_ref.match(value), f"{where} is not from an env var: {value!r}"

    check(cfg["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"], "otlp grpc endpoint")
    check(cfg["receivers"]["otlp"]["protocols"]["http"]["endpoint"], "otlp http endpoint")
    for key in ("endpoint", "username", "password", "database"):
        check(cfg["exporters"]["clickhouse"][key], f"clickhouse.{key}")
    check(cfg["exporters"]["prometheus"]["endpoint"], "prometheus endpoint")
    check(cfg["extensions"]["health_check"]["endpoint"], "health_check endpoint")
    check(cfg["extensions"]["file_storage/queue"]["directory"], "file_storage directory")
    for sig in ("traces", "logs", "metrics"):
        check(cfg["exporters"][f"file/{sig}"]["path"], f"file/{sig} path")
    # No literal secrets anywhere: the only password is an env reference with an empty default.
    assert cfg["exporters"]["clickhouse"]["password"] == "${env:CLICKHOUSE_PASSWORD:-}"


def test_builder_manifest_pins_one_release_line() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    versions = {
        m["gomod"].split()[1]
        for kind in ("receivers", "processors", "exporters", "extensions")
        for m in manifest[kind]
    }
    assert len(versions) == 1, versions
    (beta,) = versions
    minor = int(beta.split(".")[1])
    stable = {m["gomod"].split()[1] for m in manifest["providers"]}
    assert stable == {f"v1.{minor - 94}.0"}, stable  # core stable modules are v1.(minor-94) for beta v0.minor
    script = (ROOT / "scripts" / "build-collector.sh").read_text()
    assert f"BUILDER_VERSION={beta}" in script


def _alternatives(pattern: str) -> list[str]:
    # The renderer orders equal-length alternatives by set iteration order (varies per process);
    # compare the alternatives, not their order.
    return sorted(pattern.split("|"))


def test_redaction_block_is_the_rendered_default_policy() -> None:
    from agentel.redaction.collector import render
    from agentel.redaction.policy import load_policy

    shipped = load_config()["processors"]["redaction"]
    rendered = render(load_policy(None), capture_content=False).processor
    assert set(shipped) == set(rendered)
    for key, value in rendered.items():
        if isinstance(value, list):
            assert [_alternatives(p) for p in shipped[key]] == [_alternatives(p) for p in value], (
                f"processors.redaction.{key} drifted from the policy: re-render with "
                "`python collector-config/sync_redaction.py`"
            )
        else:
            assert shipped[key] == value, key
