-- How long did LLM calls take, per model? (1 in `every` calls, for big stores.)
-- Parameters: since, until, run, every.
SELECT Model AS model, DurationMs AS duration_ms
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
  AND IsError = 0
  AND cityHash64(SpanId) % {every:UInt32} = 0
