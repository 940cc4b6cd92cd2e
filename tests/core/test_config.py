"""Settings: precedence, OTEL_* honoured, clear errors naming the variable."""

from __future__ import annotations

import pytest

from agentel.config import SETTINGS, ConfigError, Settings, render_reference


def test_defaults_are_local_files_only() -> None:
    s = Settings.load(env={})
    assert s.sinks == ("files",)
    assert s.dir == ".agentel"
    assert s.console == "off"
    assert s.otlp_endpoint is None and s.clickhouse_url is None and s.prometheus_port is None
    assert len(s.run_id) == 16
    assert s.sources["dir"] == "default"


def test_precedence_arguments_over_env_over_defaults() -> None:
    env = {"AGENTEL_DIR": "/env/dir", "AGENTEL_LOG_LEVEL": "warn"}
    s = Settings.load(env=env, dir="/arg/dir")
    assert s.dir == "/arg/dir" and s.sources["dir"] == "argument"
    assert s.log_level == "warn" and s.sources["log_level"] == "AGENTEL_LOG_LEVEL"
    assert s.capture_content is True and s.sources["capture_content"] == "default"


def test_standard_otel_variables_are_honoured() -> None:
    env = {
        "OTEL_SERVICE_NAME": "svc",
        "OTEL_RESOURCE_ATTRIBUTES": "team=ml,deployment.environment=dev",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
        "OTEL_EXPORTER_OTLP_HEADERS": "x-api=abc",
        "OTEL_TRACES_SAMPLER": "traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.25",
    }
    s = Settings.load(env=env)
    assert s.service_name == "svc"
    assert s.resource_attributes == {"team": "ml", "deployment.environment": "dev"}
    assert "otlp" in s.sinks  # the endpoint is the opt-in
    assert s.otlp_headers == {"x-api": "abc"}
    assert (s.traces_sampler, s.traces_sampler_arg) == ("traceidratio", 0.25)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"AGENTEL_SINKS": "files,fiels"},
            r"AGENTEL_SINKS: unknown sink 'fiels' \(known: files, console, otlp, clickhouse, prometheus\)",
        ),
        (
            {"AGENTEL_METRICS_INTERVAL_S": "-1"},
            r"AGENTEL_METRICS_INTERVAL_S: must be 0 \(disabled\) or at least 1 second",
        ),
        (
            {"AGENTEL_METRICS_INTERVAL_S": "soon"},
            r"AGENTEL_METRICS_INTERVAL_S: expected a number, got 'soon'",
        ),
        (
            {"CLICKHOUSE_URL": "not a url"},
            r"CLICKHOUSE_URL: expected protocol://user:password@host:port/database",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"}, r"OTEL_EXPORTER_OTLP_ENDPOINT: expected a URL"),
        (
            {"AGENTEL_CONSOLE": "fancy"},
            r"AGENTEL_CONSOLE: unknown value 'fancy' \(known: pretty, jsonl, off\)",
        ),
        ({"AGENTEL_CAPTURE_CONTENT": "maybe"}, r"AGENTEL_CAPTURE_CONTENT: expected a boolean"),
        (
            {"OTEL_RESOURCE_ATTRIBUTES": "novalue"},
            r"OTEL_RESOURCE_ATTRIBUTES: expected comma-separated key=value",
        ),
        ({"AGENTEL_SINKS": "otlp"}, r"the otlp sink needs an endpoint; set OTEL_EXPORTER_OTLP_ENDPOINT"),
        (
            {"AGENTEL_RUN_ID": "a/b"},
            r"AGENTEL_RUN_ID: a run id names a folder under AGENTEL_DIR: use 1-128 letters",
        ),
    ],
)
def test_bad_values_fail_naming_the_variable(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        Settings.load(env=env)


def test_bad_argument_names_the_argument() -> None:
    with pytest.raises(ConfigError, match=r"configure\(sinks=...\): unknown sink 'nope'"):
        Settings.load(env={}, sinks=["nope"])
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) colour"):
        Settings.load(env={}, colour="red")


def test_configure_fails_at_configure_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import agentel

    monkeypatch.setenv("AGENTEL_SINKS", "fiels")
    with pytest.raises(ConfigError, match="AGENTEL_SINKS"):
        agentel.configure()


def test_reference_page_lists_every_setting() -> None:
    page = render_reference()
    for spec in SETTINGS:
        assert f"`{spec.name}`" in page
        for var in spec.env:
            assert f"`{var}`" in page


def test_configure_takes_one_typed_keyword_per_setting() -> None:
    import inspect

    from agentel import sdk

    params = inspect.signature(sdk.configure).parameters
    wiring = {"span_exporters", "log_exporters", "metric_readers", "sync_export", "id_generator"}
    assert set(params) - wiring == {spec.name for spec in SETTINGS}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert all(
        p.annotation not in (inspect.Parameter.empty, "Any")
        for n, p in params.items()
        if n != "redaction_policy"
    )


def test_the_reference_lists_every_variable_the_source_reads() -> None:
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "agentel"
    read = set()
    for path in src.rglob("*.py"):
        read |= set(re.findall(r"\bAGENTEL_[A-Z0-9_]*[A-Z0-9]\b", path.read_text()))
    read.discard("AGENTEL_TEST_CLICKHOUSE_URL")  # the test suite's, not the product's
    listed = {var for spec in SETTINGS for var in spec.env}
    assert read - listed == set(), f"read by the code but not in the configuration table: {read - listed}"
    page = (src.parents[1] / "docs" / "reference" / "configuration.md").read_text()
    assert all(f"`{var}`" in page for var in read)
