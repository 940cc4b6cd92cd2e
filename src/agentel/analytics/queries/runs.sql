-- Which runs are in the store? A run is a root span (one row per trace): its name, the run id
-- (the `run` correlation key, else the process's agentel.run_id), when, how long, spans, errors,
-- LLM calls, tokens and cost. Newest first.
-- Parameters: since, until, run, limit.
WITH roots AS (
    SELECT TraceId, SpanName, ServiceName, Timestamp, Duration, StatusCode,
        ResourceAttributes['agentel.run_id'] AS process_run_id,
        if(SpanAttributes['run'] != '', SpanAttributes['run'], ResourceAttributes['agentel.run_id']) AS run_id
    FROM otel_traces
    WHERE ParentSpanId = ''
      AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR SpanAttributes['run'] = {run:String}
           OR ResourceAttributes['agentel.run_id'] = {run:String} OR TraceId = {run:String})
    ORDER BY Timestamp DESC
    LIMIT {limit:UInt32}
)
SELECT r.run_id AS run_id,
    r.TraceId AS trace_id,
    r.SpanName AS name,
    r.ServiceName AS service,
    r.Timestamp AS started,
    r.Duration / 1e9 AS duration_s,
    if(r.StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 'error', 'ok') AS status,
    s.spans AS spans,
    s.errors AS errors,
    c.llm_calls AS llm_calls,
    c.llm_errors AS llm_errors,
    c.input_tokens AS input_tokens,
    c.output_tokens AS output_tokens,
    c.cost_usd AS cost_usd,
    r.process_run_id AS process_run_id
FROM roots AS r
LEFT JOIN (
    SELECT TraceId, count() AS spans, countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors
    FROM otel_traces WHERE TraceId IN (SELECT TraceId FROM roots) GROUP BY TraceId
) AS s ON s.TraceId = r.TraceId
LEFT JOIN (
    SELECT TraceId, count() AS llm_calls, toUInt64(sum(IsError)) AS llm_errors,
        sum(InputTokens) AS input_tokens, sum(OutputTokens) AS output_tokens, sum(CostUsd) AS cost_usd
    FROM llm_calls WHERE TraceId IN (SELECT TraceId FROM roots) GROUP BY TraceId
) AS c ON c.TraceId = r.TraceId
ORDER BY started DESC
