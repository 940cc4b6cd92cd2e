-- Feedback given on one call, newest first.
SELECT timestamp, good, comment, reference_answer
FROM feedback
WHERE trace_id = {trace:String} AND span_id = {span:String}
ORDER BY timestamp DESC
