-- Full-text search over LLM calls: prompts, answers, instructions, span names and error messages
-- (the typed llm_calls table), newest first. Parameters: pattern (an ILIKE pattern, wildcards in
-- the user's text escaped), since, until, model, run, limit. `field` names the first column that
-- matched and `text` is its value (the caller cuts the snippet around the match).
-- ILIKE on the typed table, not a token or ngram index: benchmarks/bench_search.py measured it
-- (docs/cli.md#search).
SELECT Timestamp AS timestamp, TraceId AS trace_id, SpanId AS span_id, Model AS model, Run AS run_id,
    SpanName AS span_name, IsError AS is_error,
    multiIf(InputMessages ILIKE {pattern:String}, 'prompt',
            OutputMessages ILIKE {pattern:String}, 'answer',
            SystemInstructions ILIKE {pattern:String}, 'instructions',
            SpanName ILIKE {pattern:String}, 'span name',
            'error') AS field,
    multiIf(field = 'prompt', InputMessages, field = 'answer', OutputMessages,
            field = 'instructions', SystemInstructions, field = 'span name', SpanName,
            if(ErrorType = '' OR startsWith(StatusMessage, ErrorType), StatusMessage,
               concat(ErrorType, ': ', StatusMessage))) AS text
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({model:String} = '' OR Model = {model:String})
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
  AND (InputMessages ILIKE {pattern:String} OR OutputMessages ILIKE {pattern:String}
       OR SystemInstructions ILIKE {pattern:String} OR SpanName ILIKE {pattern:String}
       OR StatusMessage ILIKE {pattern:String} OR ErrorType ILIKE {pattern:String})
ORDER BY Timestamp DESC, SpanId DESC
LIMIT {limit:UInt32}
