-- Runs, newest first: calls, errors, tokens, cost and models per run (the runs list page).
SELECT run_id,
    min(timestamp) AS started,
    max(timestamp) AS last_call,
    count() AS calls,
    sum(is_error) AS errors,
    sum(total_tokens) AS tokens,
    sum(cost) AS cost_usd,
    arrayStringConcat(arraySort(groupUniqArray(5)(model)), ', ') AS models
FROM llm_logs
GROUP BY run_id
ORDER BY last_call DESC
LIMIT {limit:UInt32}
