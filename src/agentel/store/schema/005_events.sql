-- Typed event tables, filled from otel_logs by materialized views (one per event family).
CREATE TABLE IF NOT EXISTS {db}.{prefix}eval_results (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String,
    SpanId String,
    ServiceName LowCardinality(String),
    RunId String,
    Name LowCardinality(String),
    ScoreValue Nullable(Float64),
    ScoreLabel LowCardinality(String),
    Explanation String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = {engine}
PARTITION BY toDate(Timestamp)
ORDER BY (Name, Timestamp)
{ttl:toDateTime(Timestamp)}
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}eval_results_mv TO {db}.{prefix}eval_results AS
SELECT Timestamp, TraceId, SpanId, ServiceName,
    ResourceAttributes['agentel.run_id'] AS RunId,
    LogAttributes['gen_ai.evaluation.name'] AS Name,
    toFloat64OrNull(LogAttributes['gen_ai.evaluation.score.value']) AS ScoreValue,
    LogAttributes['gen_ai.evaluation.score.label'] AS ScoreLabel,
    LogAttributes['gen_ai.evaluation.explanation'] AS Explanation
FROM {db}.{prefix}otel_logs
WHERE EventName = 'gen_ai.evaluation.result' OR LogAttributes['event.name'] = 'gen_ai.evaluation.result';

CREATE TABLE IF NOT EXISTS {db}.{prefix}feedback_events (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String,
    SpanId String,
    ServiceName LowCardinality(String),
    RunId String,
    Good Nullable(UInt8),
    Comment String CODEC(ZSTD(1)),
    ReferenceAnswer String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1
) ENGINE = {engine}
PARTITION BY toDate(Timestamp)
ORDER BY (TraceId, Timestamp)
{ttl:toDateTime(Timestamp)}
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}feedback_events_mv TO {db}.{prefix}feedback_events AS
SELECT Timestamp, TraceId, SpanId, ServiceName,
    ResourceAttributes['agentel.run_id'] AS RunId,
    multiIf(LogAttributes['agentel.feedback.good'] IN ('true', '1'), toNullable(toUInt8(1)),
            LogAttributes['agentel.feedback.good'] IN ('false', '0'), toNullable(toUInt8(0)), NULL) AS Good,
    LogAttributes['agentel.feedback.comment'] AS Comment,
    LogAttributes['agentel.feedback.reference_answer'] AS ReferenceAnswer
FROM {db}.{prefix}otel_logs
WHERE EventName = 'agentel.feedback' OR LogAttributes['event.name'] = 'agentel.feedback';

-- Domain-pack events (evolution, agents, consortium): one narrow table, typed views below.
CREATE TABLE IF NOT EXISTS {db}.{prefix}pack_events (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    EventName LowCardinality(String),
    TraceId String,
    SpanId String,
    ServiceName LowCardinality(String),
    RunId String,
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1))
) ENGINE = {engine}
PARTITION BY toDate(Timestamp)
ORDER BY (EventName, Timestamp)
{ttl:toDateTime(Timestamp)}
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}pack_events_mv TO {db}.{prefix}pack_events AS
SELECT Timestamp,
    if(EventName != '', EventName, LogAttributes['event.name']) AS EventName,
    TraceId, SpanId, ServiceName,
    ResourceAttributes['agentel.run_id'] AS RunId,
    LogAttributes AS Attributes
FROM {db}.{prefix}otel_logs
WHERE if(EventName != '', EventName, LogAttributes['event.name']) IN
    ('evolution.generation', 'evolution.individual', 'evolution.lineage', 'agent.action', 'consortium.response');

CREATE TABLE IF NOT EXISTS {db}.{prefix}evolution_run_spans (
    Timestamp DateTime64(9),
    TraceId String,
    SpanId String,
    RunId String,
    EvolutionRunId String,
    TaskName String,
    Config String CODEC(ZSTD(1)),
    Status LowCardinality(String),
    DurationMs Float64
) ENGINE = {engine}
ORDER BY (EvolutionRunId, Timestamp)
{ttl:toDateTime(Timestamp)};

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}evolution_run_spans_mv TO {db}.{prefix}evolution_run_spans AS
SELECT Timestamp, TraceId, SpanId,
    ResourceAttributes['agentel.run_id'] AS RunId,
    if(SpanAttributes['evolution.run_id'] != '', SpanAttributes['evolution.run_id'], SpanId) AS EvolutionRunId,
    SpanAttributes['evolution.task_name'] AS TaskName,
    SpanAttributes['evolution.config'] AS Config,
    multiIf(SpanAttributes['evolution.status'] != '', SpanAttributes['evolution.status'],
            StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 'error', 'completed') AS Status,
    Duration / 1e6 AS DurationMs
FROM {db}.{prefix}otel_traces
WHERE SpanName = 'evolution.run';
