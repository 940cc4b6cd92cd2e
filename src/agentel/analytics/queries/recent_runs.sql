-- The most recent run ids (for "did you mean" hints).
-- Parameters: limit.
SELECT if(SpanAttributes['run'] != '', SpanAttributes['run'], ResourceAttributes['agentel.run_id']) AS run_id,
    max(Timestamp) AS last
FROM otel_traces
WHERE ParentSpanId = ''
GROUP BY run_id
ORDER BY last DESC
LIMIT {limit:UInt32}
