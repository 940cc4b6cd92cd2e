-- Which model (or task, operation, provider, run) does best? Per group: calls, errors, mean
-- evaluation score, mean consortium confidence and how often the arbiter chose it, good-feedback
-- rate, tokens per call, exact p50/p95 latency, cost. Reads every call in the window (see
-- leaderboard_rollup.sql for the all-time question answered from the hourly rollup).
-- A score, confidence or feedback record belongs to a call when it points at the call's span or,
-- failing that, at the span right above it (the pack helpers record them on the span wrapping
-- the call). Records and calls meet on SpanKey = cityHash64(TraceId, SpanId).
-- By run, a consortium run also gets arbiter_final_confidence: the arbiter's confidence when the
-- run ended (what `--sort confidence` ranks runs by).
-- Parameters: by, since, until, run, task, model.
WITH
calls AS (
    SELECT SpanKey, TraceId, ParentSpanId,
        multiIf({by:String} = 'task', Task, {by:String} = 'operation', Operation,
                {by:String} = 'provider', Provider, {by:String} = 'run', Run,
                -- --group-aliases: a dated snapshot counts for its family (gpt-4o-mini-2024-07-18 -> gpt-4o-mini)
                {aliases:UInt8} = 1, replaceRegexpOne(Model, '-(\\d{4}-\\d{2}-\\d{2}|\\d{8})$', ''),
                Model) AS key,
        InputTokens, OutputTokens, DurationMs, CostUsd, IsError
    FROM llm_calls
    WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
      AND ({task:String} = '' OR Task = {task:String})
      AND ({model:String} = '' OR Model = {model:String})
),
-- records not on an LLM span point at the span above the call: only then is the parent link read
ev_up AS (SELECT SpanKey AS k FROM eval_results WHERE SpanKey NOT IN (SELECT SpanKey FROM llm_calls)),
cr AS (
    SELECT cityHash64(trace_id, span_id) AS k, confidence, chosen, is_arbiter FROM consortium_responses
),
cr_up AS (SELECT k FROM cr WHERE k NOT IN (SELECT SpanKey FROM llm_calls)),
fb AS (SELECT cityHash64(trace_id, span_id) AS k, good FROM feedback WHERE good IS NOT NULL),
fb_up AS (SELECT k FROM fb WHERE k NOT IN (SELECT SpanKey FROM llm_calls)),
scores AS (
    SELECT l.key AS key, avg(e.ScoreValue) AS mean_score, stddevSamp(e.ScoreValue) AS score_sd,
        count() AS scores
    FROM (
        SELECT SpanKey AS link, key FROM calls WHERE SpanKey IN (SELECT SpanKey FROM eval_results)
        UNION ALL
        SELECT cityHash64(TraceId, ParentSpanId) AS link, key FROM calls
        WHERE (SELECT count() > 0 FROM ev_up) AND ParentSpanId != '' AND link IN (SELECT k FROM ev_up)
    ) AS l
    INNER JOIN (SELECT SpanKey, ScoreValue FROM eval_results WHERE ScoreValue IS NOT NULL) AS e
        ON e.SpanKey = l.link
    GROUP BY l.key
),
consortium AS (
    SELECT l.key AS key, avg(r.confidence) AS mean_confidence, stddevSamp(r.confidence) AS confidence_sd,
        countIf(r.confidence IS NOT NULL) AS confidences,
        avgIf(r.chosen, NOT r.is_arbiter) AS win_rate, countIf(NOT r.is_arbiter) AS member_answers,
        count() AS responses
    FROM (
        SELECT SpanKey AS link, key FROM calls WHERE (SELECT count() > 0 FROM cr) AND SpanKey IN (SELECT k FROM cr)
        UNION ALL
        SELECT cityHash64(TraceId, ParentSpanId) AS link, key FROM calls
        WHERE (SELECT count() > 0 FROM cr_up) AND ParentSpanId != '' AND link IN (SELECT k FROM cr_up)
    ) AS l
    INNER JOIN cr AS r ON r.k = l.link
    GROUP BY l.key
),
feedback_rates AS (
    SELECT l.key AS key, avg(f.good) AS good_rate, count() AS feedback
    FROM (
        SELECT SpanKey AS link, key FROM calls WHERE (SELECT count() > 0 FROM fb) AND SpanKey IN (SELECT k FROM fb)
        UNION ALL
        SELECT cityHash64(TraceId, ParentSpanId) AS link, key FROM calls
        WHERE (SELECT count() > 0 FROM fb_up) AND ParentSpanId != '' AND link IN (SELECT k FROM fb_up)
    ) AS l
    INNER JOIN fb AS f ON f.k = l.link
    GROUP BY l.key
),
-- a consortium run's own verdict: the arbiter's final confidence (its consortium.result event),
-- read only when ranking runs
finals AS (
    SELECT LogAttributes['consortium.run_id'] AS key,
        argMax(toFloat64OrNull(LogAttributes['consortium.confidence']), Timestamp) AS final_confidence
    FROM otel_logs
    WHERE {by:String} = 'run' AND EventName = 'consortium.result'
      AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
    GROUP BY key
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
    if(s.scores > 1, s.score_sd, NULL) AS score_sd,
    if(c.responses > 0, c.mean_confidence, NULL) AS mean_confidence,
    c.confidences AS confidences,
    if(c.confidences > 1, c.confidence_sd, NULL) AS confidence_sd,
    c.member_answers AS member_answers,
    if(c.responses > 0 AND NOT isNaN(c.win_rate), c.win_rate, NULL) AS win_rate,
    if(f.feedback > 0, f.good_rate, NULL) AS good_feedback_rate,
    f.feedback AS feedback,
    a.input_tokens AS input_tokens,
    a.output_tokens AS output_tokens,
    (a.input_tokens + a.output_tokens) / a.calls AS tokens_per_call,
    a.p50_ms AS p50_ms,
    a.p95_ms AS p95_ms,
    a.cost_usd AS cost_usd,
    a.cost_usd / a.calls AS cost_per_call_usd,
    a.unpriced_calls AS unpriced_calls,
    fi.final_confidence AS arbiter_final_confidence
FROM agg AS a
LEFT JOIN scores AS s ON s.key = a.key
LEFT JOIN consortium AS c ON c.key = a.key
LEFT JOIN feedback_rates AS f ON f.key = a.key
LEFT JOIN finals AS fi ON fi.key = a.key
ORDER BY calls DESC, key
