-- Which stored LLM calls to judge: the calls in a window (optionally one run or model), a page at a
-- time after the cursor (timestamp, span id), with their content, usage and timing, the checks
-- already recorded on them, and the latest reference answer given in feedback on the call (or on
-- the span right above it, or on its whole trace).
-- Parameters: since, until, run, model, cur_ts, cur_span (the cursor: 1970-01-01 and '' to start), limit.
WITH calls AS (
    SELECT Timestamp, TraceId, SpanId, ParentSpanId, Model, Provider, Operation,
        InputMessages, OutputMessages, SystemInstructions, InputTokens, OutputTokens,
        DurationMs, ErrorType, IsError, FinishReasons
    FROM llm_calls
    WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
      AND ({model:String} = '' OR Model = {model:String})
      AND (Timestamp, SpanId) > ({cur_ts:DateTime64(9)}, {cur_span:String})
    ORDER BY Timestamp, SpanId
    LIMIT {limit:UInt64}
),
refs AS (
    SELECT TraceId, SpanId, argMax(ReferenceAnswer, Timestamp) AS ref
    FROM feedback_events
    WHERE ReferenceAnswer != '' AND TraceId IN (SELECT TraceId FROM calls)
    GROUP BY TraceId, SpanId
)
SELECT
    formatDateTime(c.Timestamp, '%Y-%m-%d %H:%i:%S.%f') AS ts,
    c.TraceId AS trace_id, c.SpanId AS span_id, c.Model AS model, c.Provider AS provider,
    c.Operation AS operation, c.InputMessages AS input_messages, c.OutputMessages AS output_messages,
    c.SystemInstructions AS system_instructions, c.InputTokens AS input_tokens,
    c.OutputTokens AS output_tokens, c.DurationMs AS duration_ms, c.ErrorType AS error_type,
    c.IsError AS is_error, c.FinishReasons AS finish_reasons,
    j.judged AS judged,
    multiIf(rs.ref != '', rs.ref, rp.ref != '', rp.ref, rt.ref) AS reference_answer
FROM calls AS c
LEFT JOIN (
    SELECT TraceId, SpanId, groupUniqArray(Name) AS judged
    FROM eval_results WHERE TraceId IN (SELECT TraceId FROM calls)
    GROUP BY TraceId, SpanId
) AS j ON j.TraceId = c.TraceId AND j.SpanId = c.SpanId
LEFT JOIN refs AS rs ON rs.TraceId = c.TraceId AND rs.SpanId = c.SpanId
LEFT JOIN refs AS rp ON rp.TraceId = c.TraceId AND rp.SpanId = c.ParentSpanId
LEFT JOIN (SELECT TraceId, ref FROM refs WHERE SpanId = '') AS rt ON rt.TraceId = c.TraceId
ORDER BY c.Timestamp, c.SpanId;
