-- What was said about the spans of some traces: evaluation scores, consortium confidence (and
-- whether the arbiter chose the answer), feedback.
-- Parameters: ids (comma-separated trace ids).
-- In a fixed order (scores, confidences, feedback; then by name and value): the same store prints
-- the same tree every time, whatever order the engine reads its parts in.
SELECT * FROM (
SELECT SpanId AS span_id, 'score' AS kind, toString(Name) AS name, ScoreValue AS value, toString(ScoreLabel) AS label
FROM eval_results WHERE has(splitByChar(',', {ids:String}), TraceId)
UNION ALL
SELECT span_id, 'confidence', if(is_arbiter, 'arbiter', 'member'), confidence, if(chosen, 'chosen', '')
FROM consortium_responses WHERE has(splitByChar(',', {ids:String}), trace_id)
UNION ALL
SELECT span_id, 'feedback', if(good = 1, 'good', 'bad'), toNullable(toFloat64(good)), comment
FROM feedback WHERE has(splitByChar(',', {ids:String}), trace_id)
)
ORDER BY span_id, indexOf(['score', 'confidence', 'feedback'], kind), name, value, label
