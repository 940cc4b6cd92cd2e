-- Is `id` a trace id in the store? (The trace-id index table, cheap on a big store.)
-- Parameters: id.
SELECT TraceId AS trace_id, min(Start) AS start, max(End) AS end
FROM otel_traces_trace_id_ts
WHERE TraceId = {id:String}
GROUP BY TraceId
