-- Per model: calls, error rate, tokens, latency percentiles, cost, check pass rate and the share
-- of good feedback (since a time, when given).
WITH calls AS (
    SELECT Model, SpanId, IsError, InputTokens, OutputTokens, DurationMs, CostUsd
    FROM llm_calls
    WHERE ({since:String} = '' OR Timestamp >= parseDateTime64BestEffortOrNull({since:String}, 9, 'UTC'))
)
SELECT c.Model AS model,
    count() AS calls,
    avg(c.IsError) AS error_rate,
    sum(c.InputTokens) AS input_tokens,
    sum(c.OutputTokens) AS output_tokens,
    quantile(0.5)(c.DurationMs) AS p50_ms,
    quantile(0.95)(c.DurationMs) AS p95_ms,
    sum(c.CostUsd) AS cost_usd,
    any(ch.pass_rate) AS check_pass_rate,
    any(fb.good_rate) AS good_feedback_rate
FROM calls AS c
LEFT JOIN (
    SELECT l.Model AS Model, avg(e.passed) AS pass_rate
    FROM eval_checks AS e INNER JOIN calls AS l ON l.SpanId = e.span_id
    GROUP BY l.Model
) AS ch ON ch.Model = c.Model
LEFT JOIN (
    SELECT l.Model AS Model, avg(f.good) AS good_rate
    FROM feedback AS f INNER JOIN calls AS l ON l.SpanId = f.span_id
    GROUP BY l.Model
) AS fb ON fb.Model = c.Model
GROUP BY c.Model
ORDER BY calls DESC
LIMIT 100
