-- What did the LLM calls cost, by model (or provider, run, task, operation, day)? Unpriced calls
-- (a model genai-prices does not know) are counted apart, never as zero.
-- Parameters: by, since, until, run, task, model.
SELECT
    multiIf({by:String} = 'provider', Provider, {by:String} = 'run', Run, {by:String} = 'task', Task,
            {by:String} = 'operation', Operation, {by:String} = 'day', toString(toDate(Timestamp)), Model) AS key,
    count() AS calls,
    sum(InputTokens) AS input_tokens,
    sum(OutputTokens) AS output_tokens,
    sum(CacheReadTokens) AS cache_read_tokens,
    sum(CostUsd) AS cost_usd,
    countIf(CostUsd IS NULL AND InputTokens + OutputTokens > 0) AS unpriced_calls,
    sum(CostUsd) / nullIf(sum(sum(CostUsd)) OVER (), 0) AS share
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
  AND ({task:String} = '' OR Task = {task:String})
  AND ({model:String} = '' OR Model = {model:String})
GROUP BY key
ORDER BY if({by:String} = 'day', 0, -cost_usd), key
