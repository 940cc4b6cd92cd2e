-- Which traces make up run RUN_OR_TRACE_ID? The trace itself when the id is a trace id, else every
-- trace whose root span carries it as the `run` key or the process's agentel.run_id.
-- Parameters: id, limit.
SELECT TraceId AS trace_id
FROM otel_traces
WHERE ParentSpanId = ''
  AND (SpanAttributes['run'] = {id:String} OR ResourceAttributes['agentel.run_id'] = {id:String})
GROUP BY TraceId
ORDER BY min(Timestamp)
LIMIT {limit:UInt32}
