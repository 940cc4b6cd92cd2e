-- Does the store know run `run` (a `run` correlation key or a process's agentel.run_id)?
-- Parameters: run.
SELECT
    (SELECT count() FROM (SELECT 1 FROM llm_calls WHERE Run = {run:String} OR RunId = {run:String} LIMIT 1))
  + (SELECT count() FROM (
        SELECT 1 FROM otel_traces
        WHERE ParentSpanId = ''
          AND (SpanAttributes['run'] = {run:String} OR ResourceAttributes['agentel.run_id'] = {run:String})
        LIMIT 1)) AS found
