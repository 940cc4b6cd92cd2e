-- Over what time range are there LLM calls, evaluations and spans? (Picks plot bucket sizes.)
-- Parameters: since, until, run.
SELECT min(Timestamp) AS first, max(Timestamp) AS last, count() AS calls
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
