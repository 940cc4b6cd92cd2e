-- How many LLM calls succeeded and failed, per time bucket?
-- Parameters: since, until, run, bucket_s.
SELECT toStartOfInterval(Timestamp, toIntervalSecond({bucket_s:UInt32})) AS time,
    count() AS calls, toUInt64(sum(IsError)) AS errors,
    sum(InputTokens) AS input_tokens, sum(OutputTokens) AS output_tokens
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
GROUP BY time
ORDER BY time
