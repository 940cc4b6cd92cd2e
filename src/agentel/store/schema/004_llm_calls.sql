-- Typed LLM calls, filled from otel_traces by a materialized view: spans in the OTel GenAI
-- convention (gen_ai.*) or OpenInference's (llm.*) land in the same rows.
CREATE TABLE IF NOT EXISTS {db}.{prefix}llm_calls (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    SpanName LowCardinality(String),
    ServiceName LowCardinality(String),
    RunId String CODEC(ZSTD(1)),
    Run String CODEC(ZSTD(1)),
    Task LowCardinality(String),
    Iteration String,
    Provider LowCardinality(String),
    Operation LowCardinality(String),
    RequestModel LowCardinality(String),
    Model LowCardinality(String),
    InputTokens UInt64,
    OutputTokens UInt64,
    CacheReadTokens UInt64,
    CacheWriteTokens UInt64,
    CostUsd Nullable(Float64),
    DurationMs Float64,
    TtftMs Nullable(Float64),
    IsError UInt8,
    ErrorType LowCardinality(String),
    StatusMessage String CODEC(ZSTD(1)),
    FinishReasons String,
    InputMessages String CODEC(ZSTD(3)),
    OutputMessages String CODEC(ZSTD(3)),
    SystemInstructions String CODEC(ZSTD(3)),
    TokensEstimated UInt8,
    Convention LowCardinality(String),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_run Run TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = {engine}
PARTITION BY toDate(Timestamp)
ORDER BY (Model, Timestamp)
{ttl:toDateTime(Timestamp)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}llm_calls_mv TO {db}.{prefix}llm_calls AS
WITH
    SpanAttributes AS a,
    if(a['gen_ai.request.model'] != '', a['gen_ai.request.model'], a['llm.model_name']) AS req_model
SELECT
    Timestamp,
    TraceId,
    SpanId,
    ParentSpanId,
    SpanName,
    ServiceName,
    ResourceAttributes['agentel.run_id'] AS RunId,
    if(a['run'] != '', a['run'], ResourceAttributes['agentel.run_id']) AS Run,
    multiIf(a['task'] != '', a['task'], a['gen_ai.agent.name'] != '', a['gen_ai.agent.name'], '') AS Task,
    a['iteration'] AS Iteration,
    multiIf(a['gen_ai.provider.name'] != '', a['gen_ai.provider.name'],
            a['gen_ai.system'] != '', a['gen_ai.system'], a['llm.provider'] != '', a['llm.provider'],
            a['llm.system']) AS Provider,
    multiIf(a['gen_ai.operation.name'] != '', a['gen_ai.operation.name'],
            upper(a['openinference.span.kind']) = 'EMBEDDING', 'embeddings', 'chat') AS Operation,
    req_model AS RequestModel,
    if(a['gen_ai.response.model'] != '', a['gen_ai.response.model'], req_model) AS Model,
    toUInt64OrZero(if(a['gen_ai.usage.input_tokens'] != '', a['gen_ai.usage.input_tokens'], a['llm.token_count.prompt'])) AS InputTokens,
    toUInt64OrZero(if(a['gen_ai.usage.output_tokens'] != '', a['gen_ai.usage.output_tokens'], a['llm.token_count.completion'])) AS OutputTokens,
    toUInt64OrZero(if(a['gen_ai.usage.cache_read.input_tokens'] != '', a['gen_ai.usage.cache_read.input_tokens'],
                      a['llm.token_count.prompt_details.cache_read'])) AS CacheReadTokens,
    toUInt64OrZero(if(a['gen_ai.usage.cache_creation.input_tokens'] != '', a['gen_ai.usage.cache_creation.input_tokens'],
                      a['llm.token_count.prompt_details.cache_write'])) AS CacheWriteTokens,
    toFloat64OrNull(if(a['agentel.cost.total_usd'] != '', a['agentel.cost.total_usd'], a['llm.cost.total'])) AS CostUsd,
    Duration / 1e6 AS DurationMs,
    toFloat64OrNull(a['gen_ai.response.time_to_first_chunk']) * 1000 AS TtftMs,
    toUInt8(StatusCode IN ('Error', 'STATUS_CODE_ERROR') OR a['error.type'] != '') AS IsError,
    a['error.type'] AS ErrorType,
    StatusMessage,
    a['gen_ai.response.finish_reasons'] AS FinishReasons,
    multiIf(a['gen_ai.input.messages'] != '', a['gen_ai.input.messages'],
            a['llm.input_messages'] != '', a['llm.input_messages'], a['input.value']) AS InputMessages,
    multiIf(a['gen_ai.output.messages'] != '', a['gen_ai.output.messages'],
            a['llm.output_messages'] != '', a['llm.output_messages'], a['output.value']) AS OutputMessages,
    a['gen_ai.system_instructions'] AS SystemInstructions,
    toUInt8(a['agentel.usage.estimated'] = 'true') AS TokensEstimated,
    if(a['gen_ai.request.model'] != '' OR a['gen_ai.response.model'] != '', 'gen_ai', 'openinference') AS Convention
FROM {db}.{prefix}otel_traces
WHERE a['gen_ai.request.model'] != '' OR a['gen_ai.response.model'] != '' OR a['llm.model_name'] != '';
