"""The schema matches the collector exporter's tables and applies idempotently, versioned."""

from __future__ import annotations

from agentel.store import SchemaOptions, apply, render_all
from agentel.store.engine import Engine, columns_of

TRACES = [
    "Timestamp", "TraceId", "SpanId", "ParentSpanId", "TraceState", "SpanName", "SpanKind", "ServiceName",
    "ResourceAttributes", "ScopeName", "ScopeVersion", "SpanAttributes", "Duration", "StatusCode", "StatusMessage",
    "Events.Timestamp", "Events.Name", "Events.Attributes",
    "Links.TraceId", "Links.SpanId", "Links.TraceState", "Links.Attributes",
]  # fmt: skip
LOGS = [
    "Timestamp", "TraceId", "SpanId", "TraceFlags", "SeverityText", "SeverityNumber", "ServiceName", "Body",
    "ResourceSchemaUrl", "ResourceAttributes", "ScopeSchemaUrl", "ScopeName", "ScopeVersion", "ScopeAttributes",
    "LogAttributes", "EventName",
    *(f"__otel_materialized_{k}" for k in (
        "k8s.cluster.name", "k8s.container.name", "k8s.deployment.name", "k8s.namespace.name", "k8s.node.name",
        "k8s.pod.name", "k8s.pod.uid", "deployment.environment.name",
    )),
]  # fmt: skip
METRIC_COMMON = [
    "ResourceAttributes", "ResourceSchemaUrl", "ScopeName", "ScopeVersion", "ScopeAttributes",
    "ScopeDroppedAttrCount", "ScopeSchemaUrl", "ServiceName", "MetricName", "MetricDescription", "MetricUnit",
    "Attributes", "StartTimeUnix", "TimeUnix",
]  # fmt: skip


def test_raw_tables_have_the_exporter_columns(engine: Engine) -> None:
    assert list(columns_of(engine, "otel_traces")) == TRACES
    assert list(columns_of(engine, "otel_logs")) == LOGS
    assert list(columns_of(engine, "otel_traces_trace_id_ts")) == ["TraceId", "Start", "End"]
    for kind in ("gauge", "sum", "histogram", "exponential_histogram", "summary"):
        cols = list(columns_of(engine, f"otel_metrics_{kind}"))
        assert cols[: len(METRIC_COMMON)] == METRIC_COMMON, kind
    assert "AggregationTemporality" in columns_of(engine, "otel_metrics_sum")
    assert "ValueAtQuantiles.Quantile" in columns_of(engine, "otel_metrics_summary")


def test_types_match_the_exporter(engine: Engine) -> None:
    r = engine.query(
        "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'otel_traces'",
        {"db": engine.database},
    )
    types = dict(r.rows)
    assert types["Timestamp"] == "DateTime64(9)"
    assert types["SpanAttributes"] == "Map(LowCardinality(String), String)"
    assert types["Duration"] == "UInt64"
    assert types["Events.Timestamp"] == "Array(DateTime64(9))"
    # exporter v0.160+ metrics layout: second-resolution times, LowCardinality metric names
    r = engine.query(
        "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'otel_metrics_histogram'",
        {"db": engine.database},
    )
    types = dict(r.rows)
    assert (types["TimeUnix"], types["StartTimeUnix"], types["Exemplars.TimeUnix"]) == (
        "DateTime",
        "DateTime",
        "Array(DateTime)",
    )
    assert types["MetricName"] == "LowCardinality(String)"


def test_apply_is_idempotent_and_versioned(engine: Engine) -> None:
    assert apply(engine) == []  # the fixture applied everything already
    versions = [
        r[0]
        for r in engine.query("SELECT version FROM agentel_schema_migrations FINAL ORDER BY version").rows
    ]
    assert versions[0].startswith("001_") and len(versions) >= 7


def test_ttl_on_by_default_and_configurable() -> None:
    assert "TTL toDateTime(Timestamp) + toIntervalDay(30)" in render_all(SchemaOptions())
    assert "TTL" not in render_all(SchemaOptions(ttl_days=0)).replace("ttl_only_drop_parts", "")
    ddl = render_all(SchemaOptions(database="obs", prefix="team_", ttl_days=7))
    assert "CREATE TABLE IF NOT EXISTS obs.team_otel_traces" in ddl and "toIntervalDay(7)" in ddl
