-- The spans of some traces, with what an LLM call adds (model, tokens, cost) from the typed table.
-- Parameters: ids (comma-separated trace ids), limit.
WITH bounds AS (
    SELECT min(Start) AS lo, max(End) AS hi FROM otel_traces_trace_id_ts WHERE has(splitByChar(',', {ids:String}), TraceId)
)
SELECT t.TraceId AS trace_id,
    t.SpanId AS span_id,
    t.ParentSpanId AS parent_span_id,
    t.SpanName AS name,
    t.ServiceName AS service,
    t.Timestamp AS start,
    t.Duration / 1e6 AS duration_ms,
    if(t.StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 'error', 'ok') AS status,
    t.StatusMessage AS status_message,
    t.SpanAttributes['error.type'] AS error_type,
    l.Model AS model,
    l.InputTokens AS input_tokens,
    l.OutputTokens AS output_tokens,
    l.CostUsd AS cost_usd,
    l.SpanId != '' AS is_llm_call,
    t.ResourceAttributes['agentel.run_id'] AS process_run_id,
    t.SpanAttributes['run'] AS run
FROM otel_traces AS t
LEFT JOIN (
    SELECT SpanId, Model, InputTokens, OutputTokens, CostUsd FROM llm_calls WHERE has(splitByChar(',', {ids:String}), TraceId)
) AS l ON l.SpanId = t.SpanId
WHERE has(splitByChar(',', {ids:String}), t.TraceId)
  AND t.Timestamp >= (SELECT toDateTime64(lo, 9) FROM bounds) - INTERVAL 1 SECOND
  AND t.Timestamp <= (SELECT toDateTime64(hi, 9) FROM bounds) + INTERVAL 1 SECOND
ORDER BY t.Timestamp, t.SpanId
LIMIT {limit:UInt32}
