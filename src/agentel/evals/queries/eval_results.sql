-- Recent evaluation results (newest first) with the judged call's model and run, filtered by check,
-- verdict, trace and run. Parameters: since, until, check, failed, trace, run, limit.
SELECT
    formatDateTime(e.timestamp, '%Y-%m-%d %H:%i:%S') AS time,
    e.check_name AS check_name,
    e.label AS label,
    e.score AS score,
    e.passed AS passed,
    c.Model AS model,
    c.Run AS run,
    e.trace_id AS trace_id,
    e.span_id AS span_id,
    e.explanation AS explanation
FROM eval_checks AS e
LEFT JOIN (
    SELECT TraceId, SpanId, Model, Run, RunId FROM llm_calls
    WHERE TraceId IN (
        SELECT trace_id FROM eval_checks
        WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)}
    )
) AS c ON c.TraceId = e.trace_id AND c.SpanId = e.span_id
WHERE e.timestamp >= {since:DateTime64(9)} AND e.timestamp < {until:DateTime64(9)}
  AND ({check:String} = '' OR e.check_name = {check:String})
  AND ({failed:UInt8} = 0 OR NOT e.passed)
  AND ({trace:String} = '' OR e.trace_id = {trace:String})
  AND ({run:String} = '' OR c.Run = {run:String} OR c.RunId = {run:String} OR e.process_run_id = {run:String})
ORDER BY e.timestamp DESC, e.check_name
LIMIT {limit:UInt64};
