-- The alert rules' window over stored LLM calls: counts, means and cost of the chat-like calls in
-- [since, until). A call succeeded when it did not fail and produced output (or reported no usage
-- at all); conversation length counts the messages sent, system messages aside. Parameters: since, until, run.
SELECT
    count() AS calls,
    countIf(IsError = 1) AS errors,
    countIf(IsError = 0 AND (OutputTokens > 0 OR InputTokens = 0)) AS successes,
    avg(DurationMs) / 1000 AS mean_duration_s,
    avgIf(InputTokens, InputTokens + OutputTokens > 0) AS mean_input_tokens,
    avgIf(OutputTokens, InputTokens + OutputTokens > 0) AS mean_output_tokens,
    avgIf(InputTokens + OutputTokens, InputTokens + OutputTokens > 0) AS mean_total_tokens,
    avgIf(
        length(arrayFilter(m -> JSONExtractString(m, 'role') != 'system', JSONExtractArrayRaw(InputMessages))),
        isValidJSON(InputMessages) AND JSONLength(InputMessages) > 0
    ) AS mean_conversation_length,
    sum(ifNull(CostUsd, 0)) AS cost_usd
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND Operation IN ('chat', 'text_completion', 'generate_content')
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String});
