-- Which model (or task, operation, provider, run) does best? Per group: calls, errors, mean
-- evaluation score, mean consortium confidence and how often the arbiter chose it, good-feedback
-- rate, tokens per call, p50/p95 latency, cost.
-- A score, confidence or feedback record belongs to a call when it points at the call's span or at
-- the span right above it (the pack helpers record them on the span wrapping the call).
-- Parameters: by, since, until, run, task, model.
WITH
calls AS (
    SELECT TraceId, SpanId, ParentSpanId,
        multiIf({by:String} = 'task', Task, {by:String} = 'operation', Operation,
                {by:String} = 'provider', Provider, {by:String} = 'run', Run, Model) AS key,
        InputTokens, OutputTokens, DurationMs, CostUsd, IsError
    FROM llm_calls
    WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
      AND ({task:String} = '' OR Task = {task:String})
      AND ({model:String} = '' OR Model = {model:String})
),
scores AS (
    SELECT l.key AS key, avg(e.ScoreValue) AS mean_score, count() AS scores
    FROM (
        SELECT TraceId, SpanId AS LinkSpan, key FROM calls WHERE TraceId IN (SELECT TraceId FROM eval_results)
        UNION ALL
        SELECT TraceId, ParentSpanId, key FROM calls
        WHERE ParentSpanId != '' AND TraceId IN (SELECT TraceId FROM eval_results)
    ) AS l
    INNER JOIN (SELECT TraceId, SpanId, ScoreValue FROM eval_results WHERE ScoreValue IS NOT NULL) AS e
        ON e.TraceId = l.TraceId AND e.SpanId = l.LinkSpan
    GROUP BY l.key
),
consortium AS (
    SELECT l.key AS key, avg(r.confidence) AS mean_confidence,
        avgIf(r.chosen, NOT r.is_arbiter) AS win_rate, count() AS responses
    FROM (
        SELECT TraceId, SpanId AS LinkSpan, key FROM calls
        WHERE TraceId IN (SELECT trace_id FROM consortium_responses)
        UNION ALL
        SELECT TraceId, ParentSpanId, key FROM calls
        WHERE ParentSpanId != '' AND TraceId IN (SELECT trace_id FROM consortium_responses)
    ) AS l
    INNER JOIN (SELECT trace_id, span_id, confidence, chosen, is_arbiter FROM consortium_responses) AS r
        ON r.trace_id = l.TraceId AND r.span_id = l.LinkSpan
    GROUP BY l.key
),
fb AS (
    SELECT l.key AS key, avg(f.good) AS good_rate, count() AS feedback
    FROM (
        SELECT TraceId, SpanId AS LinkSpan, key FROM calls WHERE TraceId IN (SELECT trace_id FROM feedback)
        UNION ALL
        SELECT TraceId, ParentSpanId, key FROM calls
        WHERE ParentSpanId != '' AND TraceId IN (SELECT trace_id FROM feedback)
    ) AS l
    INNER JOIN (SELECT trace_id, span_id, good FROM feedback WHERE good IS NOT NULL) AS f
        ON f.trace_id = l.TraceId AND f.span_id = l.LinkSpan
    GROUP BY l.key
),
agg AS (
    SELECT key,
        count() AS calls,
        toUInt64(sum(IsError)) AS errors,
        sum(InputTokens) AS input_tokens,
        sum(OutputTokens) AS output_tokens,
        quantileExactInclusive(0.5)(DurationMs) AS p50_ms,
        quantileExactInclusive(0.95)(DurationMs) AS p95_ms,
        sum(CostUsd) AS cost_usd,
        countIf(CostUsd IS NULL AND InputTokens + OutputTokens > 0) AS unpriced_calls
    FROM calls
    GROUP BY key
)
SELECT a.key AS key,
    a.calls AS calls,
    a.errors AS errors,
    a.errors / a.calls AS error_rate,
    if(s.scores > 0, s.mean_score, NULL) AS mean_score,
    s.scores AS scores,
    if(c.responses > 0, c.mean_confidence, NULL) AS mean_confidence,
    if(c.responses > 0, c.win_rate, NULL) AS win_rate,
    if(f.feedback > 0, f.good_rate, NULL) AS good_feedback_rate,
    f.feedback AS feedback,
    a.input_tokens AS input_tokens,
    a.output_tokens AS output_tokens,
    (a.input_tokens + a.output_tokens) / a.calls AS tokens_per_call,
    a.p50_ms AS p50_ms,
    a.p95_ms AS p95_ms,
    a.cost_usd AS cost_usd,
    a.cost_usd / a.calls AS cost_per_call_usd,
    a.unpriced_calls AS unpriced_calls
FROM agg AS a
LEFT JOIN scores AS s ON s.key = a.key
LEFT JOIN consortium AS c ON c.key = a.key
LEFT JOIN fb AS f ON f.key = a.key
ORDER BY calls DESC, key
