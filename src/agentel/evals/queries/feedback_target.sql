-- What `agentel feedback TRACE` links to: the trace's LLM calls (newest last) and its root span,
-- so feedback on a one-call trace lands on the call itself. Parameters: trace.
SELECT
    (SELECT count() FROM otel_traces WHERE TraceId = {trace:String}) AS spans,
    (SELECT groupArray(SpanId) FROM (
        SELECT SpanId FROM llm_calls WHERE TraceId = {trace:String} ORDER BY Timestamp)) AS calls,
    (SELECT any(SpanId) FROM otel_traces WHERE TraceId = {trace:String} AND ParentSpanId = '') AS root,
    (SELECT groupArray(SpanId) FROM otel_traces WHERE TraceId = {trace:String}) AS all_spans;
