-- What a leaderboard over millions of calls needs to answer in milliseconds:
-- 1. llm_calls_hourly: per hour, model, provider, operation, task and service, the call count,
--    tokens, cost, errors and latency t-digest states, kept up to date from llm_calls (so from
--    every span that reaches otel_traces). A leaderboard reads a few thousand rows, not every call.
-- 2. eval_results.Model: the judged call's model when the evaluation record names it
--    (gen_ai.response.model / gen_ai.request.model), so mean scores per model need no join; rows
--    without it are joined to their call on SpanKey, a hash of (TraceId, SpanId), on both tables.
CREATE TABLE IF NOT EXISTS {db}.{prefix}llm_calls_hourly (
    Hour DateTime CODEC(Delta, ZSTD(1)),
    Model LowCardinality(String),
    Provider LowCardinality(String),
    Operation LowCardinality(String),
    Task LowCardinality(String),
    ServiceName LowCardinality(String),
    Calls AggregateFunction(count),
    Errors AggregateFunction(sum, UInt64),
    InputTokens AggregateFunction(sum, UInt64),
    OutputTokens AggregateFunction(sum, UInt64),
    CostUsd AggregateFunction(sum, Nullable(Float64)),
    UnpricedCalls AggregateFunction(sum, UInt64),
    DurationMs AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toDate(Hour)
ORDER BY (Model, Hour, Provider, Operation, Task, ServiceName)
{ttl:Hour}
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}llm_calls_hourly_mv TO {db}.{prefix}llm_calls_hourly AS
SELECT toStartOfHour(c.Timestamp) AS Hour, c.Model AS Model, c.Provider AS Provider,
    c.Operation AS Operation, c.Task AS Task, c.ServiceName AS ServiceName,
    countState() AS Calls,
    sumState(toUInt64(c.IsError)) AS Errors,
    sumState(c.InputTokens) AS InputTokens,
    sumState(c.OutputTokens) AS OutputTokens,
    sumState(c.CostUsd) AS CostUsd,
    sumState(toUInt64(c.CostUsd IS NULL AND c.InputTokens + c.OutputTokens > 0)) AS UnpricedCalls,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(c.DurationMs) AS DurationMs
FROM {db}.{prefix}llm_calls AS c
GROUP BY Hour, Model, Provider, Operation, Task, ServiceName;

ALTER TABLE {db}.{prefix}llm_calls ADD COLUMN IF NOT EXISTS SpanKey UInt64 MATERIALIZED cityHash64(TraceId, SpanId);

ALTER TABLE {db}.{prefix}eval_results ADD COLUMN IF NOT EXISTS SpanKey UInt64 MATERIALIZED cityHash64(TraceId, SpanId);

ALTER TABLE {db}.{prefix}eval_results ADD COLUMN IF NOT EXISTS Model LowCardinality(String);

-- the view is made anew with the Model column (on a live server, records inserted in between are
-- not copied into eval_results; otel_logs keeps them)
DROP VIEW IF EXISTS {db}.{prefix}eval_results_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}eval_results_mv TO {db}.{prefix}eval_results AS
SELECT Timestamp, TraceId, SpanId, ServiceName,
    ResourceAttributes['agentel.run_id'] AS RunId,
    LogAttributes['gen_ai.evaluation.name'] AS Name,
    toFloat64OrNull(LogAttributes['gen_ai.evaluation.score.value']) AS ScoreValue,
    LogAttributes['gen_ai.evaluation.score.label'] AS ScoreLabel,
    LogAttributes['gen_ai.evaluation.explanation'] AS Explanation,
    if(LogAttributes['gen_ai.response.model'] != '', LogAttributes['gen_ai.response.model'],
       LogAttributes['gen_ai.request.model']) AS Model
FROM {db}.{prefix}otel_logs
WHERE EventName = 'gen_ai.evaluation.result' OR LogAttributes['event.name'] = 'gen_ai.evaluation.result';
