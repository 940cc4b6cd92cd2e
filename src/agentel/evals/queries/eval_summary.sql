-- How each check does: results, passes, pass rate and mean score per check (and per model of the
-- judged call when by = 'model'). Parameters: since, until, check, run, by.
SELECT
    e.check_name AS check_name,
    if({by:String} = 'model', c.Model, '') AS model,
    count() AS results,
    countIf(e.passed) AS passed,
    countIf(NOT e.passed) AS failed,
    round(countIf(e.passed) / count(), 4) AS pass_rate,
    round(avg(e.score), 4) AS mean_score,
    formatDateTime(max(e.timestamp), '%Y-%m-%d %H:%i:%S') AS last
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
  AND ({run:String} = '' OR c.Run = {run:String} OR c.RunId = {run:String} OR e.process_run_id = {run:String})
GROUP BY check_name, model
ORDER BY check_name, model;
