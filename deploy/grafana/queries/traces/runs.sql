SELECT ResourceAttributes['agentel.run_id'] AS process_run_id,
    if(SpanAttributes['run'] != '', SpanAttributes['run'], process_run_id) AS run,
    ServiceName AS service, min(Timestamp) AS started, count() AS spans,
    uniqExact(TraceId) AS traces, countIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR')) AS errors
FROM otel_traces WHERE $__timeFilter(Timestamp) AND (decodeURLComponent('${run:percentencode}') = '' OR ResourceAttributes['agentel.run_id'] = decodeURLComponent('${run:percentencode}') OR SpanAttributes['run'] = decodeURLComponent('${run:percentencode}'))
GROUP BY process_run_id, run, service ORDER BY started DESC LIMIT 100
