-- What did the LLM calls cost, by model (or provider, run, task, operation, day)? Unpriced calls
-- (a model genai-prices does not know) are counted apart, never as zero. A call's cost is the SDK's,
-- else the store's from agentel_prices (llm_calls_priced; docs/cost.md).
-- Parameters: by, since, until, run, task, model.
SELECT
    multiIf({by:String} = 'provider', Provider, {by:String} = 'run', Run, {by:String} = 'task', Task,
            {by:String} = 'operation', Operation, {by:String} = 'day', toString(toDate(Timestamp)), Model) AS key,
    count() AS calls,
    sum(InputTokens) AS input_tokens,
    sum(OutputTokens) AS output_tokens,
    sum(CacheReadTokens) AS cache_read_tokens,
    sum(PricedCostUsd) AS cost_usd,
    countIf(PricedCostUsd IS NULL AND InputTokens + OutputTokens > 0) AS unpriced_calls,
    sum(PricedCostUsd) / nullIf(sum(sum(PricedCostUsd)) OVER (), 0) AS share
FROM llm_calls_priced
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
  AND ({task:String} = '' OR Task = {task:String})
  AND ({model:String} = '' OR Model = {model:String})
GROUP BY key
ORDER BY if({by:String} = 'day', 0, -cost_usd), key
