-- Which LLM calls were judged, with what was asked and answered? One row per successful call
-- that has an evaluation score or a consortium verdict (on its span or the span right above it),
-- with its scores, the consortium run/iteration it answered in, its confidence, whether the
-- arbiter chose it, and feedback. Alternatives are grouped from these rows by the caller.
-- Parameters: since, until, run, task, model.
WITH
calls AS (
    SELECT Timestamp, TraceId, SpanId, ParentSpanId, Model, Provider, Run, Task, Iteration,
        InputMessages, OutputMessages, SystemInstructions, InputTokens, OutputTokens, CostUsd
    FROM llm_calls
    WHERE IsError = 0
      AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
      AND ({task:String} = '' OR Task = {task:String})
      AND ({model:String} = '' OR Model = {model:String})
),
ev AS (
    SELECT TraceId, SpanId, groupArray(toString(Name)) AS names, groupArray(ifNull(ScoreValue, nan)) AS vals
    FROM eval_results
    WHERE TraceId IN (SELECT TraceId FROM calls)
    GROUP BY TraceId, SpanId
),
cr AS (
    SELECT trace_id, span_id, any(run_id) AS c_run, any(iteration) AS c_iter, any(confidence) AS confidence,
        max(chosen) AS chosen, max(is_arbiter) AS is_arbiter
    FROM consortium_responses
    WHERE trace_id IN (SELECT TraceId FROM calls)
    GROUP BY trace_id, span_id
),
fb AS (
    SELECT trace_id, span_id, avg(good) AS good_rate, groupArray(comment) AS comments,
        anyIf(reference_answer, reference_answer != '') AS reference_answer
    FROM feedback
    WHERE trace_id IN (SELECT TraceId FROM calls)
    GROUP BY trace_id, span_id
)
SELECT c.Timestamp AS timestamp, c.TraceId AS trace_id, c.SpanId AS span_id, c.Model AS model,
    c.Provider AS provider, c.Run AS run_id, c.Task AS task, c.Iteration AS iteration,
    c.InputMessages AS input_messages, c.OutputMessages AS output_messages,
    c.SystemInstructions AS system_instructions,
    c.InputTokens AS input_tokens, c.OutputTokens AS output_tokens, c.CostUsd AS cost_usd,
    arrayConcat(e1.names, e2.names) AS score_names,
    arrayConcat(e1.vals, e2.vals) AS score_values,
    if(r.span_id != '', r.c_run, '') AS consortium_run_id,
    if(r.span_id != '', r.c_iter, -1) AS consortium_iteration,
    if(r.span_id != '', r.confidence, NULL) AS confidence,
    r.span_id != '' AND r.chosen AS chosen,
    r.span_id != '' AND r.is_arbiter AS is_arbiter,
    if(f1.span_id != '', f1.good_rate, if(f2.span_id != '', f2.good_rate, NULL)) AS good_feedback,
    if(f1.span_id != '', f1.reference_answer, f2.reference_answer) AS reference_answer
FROM calls AS c
LEFT JOIN ev AS e1 ON e1.TraceId = c.TraceId AND e1.SpanId = c.SpanId
LEFT JOIN ev AS e2 ON e2.TraceId = c.TraceId AND e2.SpanId = c.ParentSpanId
LEFT JOIN cr AS r ON r.trace_id = c.TraceId AND r.span_id = c.ParentSpanId
LEFT JOIN fb AS f1 ON f1.trace_id = c.TraceId AND f1.span_id = c.SpanId
LEFT JOIN fb AS f2 ON f2.trace_id = c.TraceId AND f2.span_id = c.ParentSpanId
WHERE notEmpty(score_names) OR r.span_id != '' OR f1.span_id != '' OR f2.span_id != ''
ORDER BY c.Timestamp
