-- Evaluation checks recorded for one call.
SELECT timestamp, check_name, score, label, passed, explanation
FROM eval_checks
WHERE trace_id = {trace:String} AND span_id = {span:String}
ORDER BY timestamp, check_name
