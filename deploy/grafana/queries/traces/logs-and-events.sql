SELECT Timestamp AS timestamp, Body AS body, SeverityText AS level,
    if(EventName != '', EventName, LogAttributes['event.name']) AS event,
    TraceId AS traceID, SpanId AS spanID, ServiceName AS service
FROM otel_logs WHERE $__timeFilter(Timestamp)
    AND (decodeURLComponent('${run:percentencode}') = '' OR ResourceAttributes['agentel.run_id'] = decodeURLComponent('${run:percentencode}') OR LogAttributes['run'] = decodeURLComponent('${run:percentencode}'))
    AND (decodeURLComponent('${trace_id:percentencode}') = '' OR TraceId = decodeURLComponent('${trace_id:percentencode}'))
ORDER BY Timestamp DESC LIMIT 500
