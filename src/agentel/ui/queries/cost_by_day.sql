-- Cost and tokens per day (since a time, when given), for the cost chart.
SELECT toDate(Timestamp) AS day, sum(CostUsd) AS cost_usd, sum(InputTokens + OutputTokens) AS tokens,
    count() AS calls
FROM llm_calls
WHERE ({since:String} = '' OR Timestamp >= parseDateTime64BestEffortOrNull({since:String}, 9, 'UTC'))
GROUP BY day
ORDER BY day
