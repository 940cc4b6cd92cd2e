-- Evaluation results by check and by model in a window: how many, pass rate, mean score, failures.
-- The model is the judged call's (llm_calls); a check on a span that is not an LLM call has none.
SELECT e.check_name AS check_name, c.Model AS model, count() AS results, avg(e.passed) AS pass_rate,
    avg(e.score) AS mean_score, countIf(NOT e.passed) AS failed, toString(max(e.timestamp)) AS last_result
FROM eval_checks AS e
LEFT JOIN (
    SELECT SpanId, any(Model) AS Model FROM llm_calls
    WHERE SpanId IN (SELECT span_id FROM eval_checks
                     WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)})
    GROUP BY SpanId
) AS c ON c.SpanId = e.span_id
WHERE e.timestamp >= {since:DateTime64(9)} AND e.timestamp < {until:DateTime64(9)}
  AND ({check:String} = '' OR e.check_name = {check:String})
  AND ({model:String} = '' OR c.Model = {model:String})
GROUP BY check_name, model
ORDER BY check_name, results DESC, model
LIMIT 500
