-- The alert rules' window over stored LLM calls: counts, means and cost of the chat-like calls in
-- [since, until). A call succeeded when it did not fail and produced output (or reported no usage
-- at all); conversation length counts the messages sent, system messages aside, together with the lengths
-- the generation pack records on its spans (a default install captures no messages). Parameters: since, until, run.
WITH pack_lengths AS (
    -- what the generation pack records: mon.generation(conversation_length=N) on its span
    SELECT sum(n) AS total, count() AS n_obs FROM (
        SELECT toFloat64OrNull(SpanAttributes['generation.conversation_length']) AS n
        FROM otel_traces
        WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
          AND SpanName = 'generation' AND mapContains(SpanAttributes, 'generation.conversation_length')
          AND ({run:String} = '' OR SpanAttributes['run'] = {run:String}
               OR ResourceAttributes['agentel.run_id'] = {run:String})
    ) WHERE n IS NOT NULL
)
SELECT
    count() AS calls,
    countIf(IsError = 1) AS errors,
    countIf(IsError = 0 AND (OutputTokens > 0 OR InputTokens = 0)) AS successes,
    avg(DurationMs) / 1000 AS mean_duration_s,
    avgIf(InputTokens, InputTokens + OutputTokens > 0) AS mean_input_tokens,
    avgIf(OutputTokens, InputTokens + OutputTokens > 0) AS mean_output_tokens,
    avgIf(InputTokens + OutputTokens, InputTokens + OutputTokens > 0) AS mean_total_tokens,
    (
        sumIf(
            length(arrayFilter(m -> JSONExtractString(m, 'role') != 'system', JSONExtractArrayRaw(InputMessages))),
            isValidJSON(InputMessages) AND JSONLength(InputMessages) > 0
        ) + ifNull((SELECT total FROM pack_lengths), 0)
    ) / nullIf(
        countIf(isValidJSON(InputMessages) AND JSONLength(InputMessages) > 0)
            + ifNull((SELECT n_obs FROM pack_lengths), 0),
        0
    ) AS mean_conversation_length,
    sum(ifNull(CostUsd, 0)) AS cost_usd
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND Operation IN ('chat', 'text_completion', 'generate_content')
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String});
