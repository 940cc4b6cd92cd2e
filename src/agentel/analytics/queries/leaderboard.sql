-- Which model (or task, operation, provider, run) does best? Per group: calls, errors, mean
-- evaluation score, mean consortium confidence and how often the arbiter chose it, good-feedback
-- rate, tokens per call, p50/p95 latency, cost.
-- A score, confidence or feedback record belongs to a call when it points at the call's span or at
-- the span right above it (the pack helpers record them on the span wrapping the call). Records
-- are matched by span id alone, hashed (span ids are 64 random bits: a cross-trace collision is
-- negligible), which keeps the join on 1M calls at a few hundred ms.
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
    SELECT l.key AS key, sum(e.s) / sum(e.n) AS mean_score, sum(e.n) AS scores
    FROM (
        SELECT cityHash64(SpanId) AS link, key FROM calls
        UNION ALL
        SELECT cityHash64(ParentSpanId), key FROM calls WHERE ParentSpanId != ''
    ) AS l
    INNER ANY JOIN (
        SELECT cityHash64(SpanId) AS h, sum(ScoreValue) AS s, count() AS n
        FROM eval_results WHERE ScoreValue IS NOT NULL GROUP BY h
    ) AS e ON e.h = l.link
    WHERE (SELECT count() > 0 FROM eval_results)
    GROUP BY l.key
),
consortium AS (
    SELECT l.key AS key, sum(r.conf_sum) / nullIf(sum(r.conf_n), 0) AS mean_confidence,
        sum(r.wins) / nullIf(sum(r.answers), 0) AS win_rate, sum(r.n) AS responses
    FROM (
        SELECT cityHash64(SpanId) AS link, key FROM calls
        UNION ALL
        SELECT cityHash64(ParentSpanId), key FROM calls WHERE ParentSpanId != ''
    ) AS l
    INNER ANY JOIN (
        SELECT cityHash64(span_id) AS h, sum(confidence) AS conf_sum, count(confidence) AS conf_n,
            countIf(chosen AND NOT is_arbiter) AS wins, countIf(NOT is_arbiter) AS answers, count() AS n
        FROM consortium_responses GROUP BY h
    ) AS r ON r.h = l.link
    WHERE (SELECT count() > 0 FROM consortium_responses)
    GROUP BY l.key
),
fb AS (
    SELECT l.key AS key, sum(f.good_sum) / sum(f.n) AS good_rate, sum(f.n) AS feedback
    FROM (
        SELECT cityHash64(SpanId) AS link, key FROM calls
        UNION ALL
        SELECT cityHash64(ParentSpanId), key FROM calls WHERE ParentSpanId != ''
    ) AS l
    INNER ANY JOIN (
        SELECT cityHash64(span_id) AS h, sum(good) AS good_sum, count() AS n
        FROM feedback WHERE good IS NOT NULL GROUP BY h
    ) AS f ON f.h = l.link
    WHERE (SELECT count() > 0 FROM feedback)
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
    c.win_rate AS win_rate,
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
