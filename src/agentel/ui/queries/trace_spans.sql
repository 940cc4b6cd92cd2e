-- Every span of one trace, in start order, for the span tree and its timeline.
SELECT SpanId AS span_id, ParentSpanId AS parent_span_id, SpanName AS name, ServiceName AS service,
    SpanKind AS kind, toUnixTimestamp64Nano(Timestamp) AS start_ns, Duration AS duration_ns,
    StatusCode AS status, StatusMessage AS status_message,
    SpanAttributes['gen_ai.request.model'] AS model,
    SpanAttributes['gen_ai.operation.name'] AS operation,
    SpanAttributes['gen_ai.usage.input_tokens'] AS input_tokens,
    SpanAttributes['gen_ai.usage.output_tokens'] AS output_tokens,
    SpanAttributes['agentel.cost.total_usd'] AS cost
FROM otel_traces
WHERE TraceId = {trace:String}
ORDER BY Timestamp, SpanId
LIMIT 2000
