SELECT TraceId AS traceID, SpanId AS spanID, ParentSpanId AS parentSpanID,
    ServiceName AS serviceName, SpanName AS operationName,
    multiply(toUnixTimestamp64Nano(Timestamp), 0.000001) AS startTime,
    multiply(Duration, 0.000001) AS duration,
    arrayMap(key -> map('key', key, 'value', SpanAttributes[key]), mapKeys(SpanAttributes)) AS tags,
    arrayMap(key -> map('key', key, 'value', ResourceAttributes[key]), mapKeys(ResourceAttributes)) AS serviceTags,
    if(StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) AS statusCode
FROM otel_traces WHERE TraceId = if(decodeURLComponent('${trace_id:percentencode}') != '', decodeURLComponent('${trace_id:percentencode}'), (SELECT trace_id FROM llm_logs WHERE $__timeFilter(timestamp) AND (decodeURLComponent('${run:percentencode}') = '' OR process_run_id = decodeURLComponent('${run:percentencode}') OR run_id = decodeURLComponent('${run:percentencode}')) ORDER BY timestamp DESC LIMIT 1))
ORDER BY startTime
