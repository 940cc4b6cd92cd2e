SELECT TraceId AS trace_id, argMin(SpanName, Timestamp) AS root, min(Timestamp) AS start,
    max(Duration) / 1e6 AS duration_ms, count() AS spans,
    countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors, any(ServiceName) AS service
FROM otel_traces WHERE $__timeFilter(Timestamp) AND (decodeURLComponent('${run:percentencode}') = '' OR ResourceAttributes['agentel.run_id'] = decodeURLComponent('${run:percentencode}') OR SpanAttributes['run'] = decodeURLComponent('${run:percentencode}'))
    AND (decodeURLComponent('${trace_id:percentencode}') = '' OR TraceId = decodeURLComponent('${trace_id:percentencode}'))
GROUP BY TraceId ORDER BY start DESC LIMIT 100
