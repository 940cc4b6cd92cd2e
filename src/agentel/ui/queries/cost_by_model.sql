-- Cost per model (since a time, when given); unknown-price calls are counted, never priced at zero.
SELECT Model AS model, sum(CostUsd) AS cost_usd, count() AS calls, countIf(CostUsd IS NULL) AS unpriced
FROM llm_calls
WHERE ({since:String} = '' OR Timestamp >= parseDateTime64BestEffortOrNull({since:String}, 9, 'UTC'))
GROUP BY model
ORDER BY cost_usd DESC NULLS LAST
LIMIT 50
