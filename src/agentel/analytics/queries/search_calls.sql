-- Full-text search over LLM calls: prompts, answers, instructions, span names and error messages
-- (the typed llm_calls table), newest first: any case, anywhere in the text. Parameters: text,
-- since, until, model, run, limit. `field` names the first column that
-- matched and `text` is its value (the caller cuts the snippet around the match).
-- positionCaseInsensitiveUTF8 on the typed table, not ILIKE, hasToken or a token/ngram index:
-- benchmarks/bench_search.py measured them (docs/cli.md, `agentel search TEXT`).
SELECT Timestamp AS timestamp, TraceId AS trace_id, SpanId AS span_id, Model AS model, Run AS run_id,
    SpanName AS span_name, IsError AS is_error,
    multiIf(positionCaseInsensitiveUTF8(InputMessages, {text:String}) > 0, 'prompt',
            positionCaseInsensitiveUTF8(OutputMessages, {text:String}) > 0, 'answer',
            positionCaseInsensitiveUTF8(SystemInstructions, {text:String}) > 0, 'instructions',
            positionCaseInsensitiveUTF8(SpanName, {text:String}) > 0, 'span name',
            'error') AS field,
    multiIf(field = 'prompt', InputMessages, field = 'answer', OutputMessages,
            field = 'instructions', SystemInstructions, field = 'span name', SpanName,
            if(ErrorType = '' OR startsWith(StatusMessage, ErrorType), StatusMessage,
               concat(ErrorType, ': ', StatusMessage))) AS text
FROM llm_calls
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({model:String} = '' OR Model = {model:String})
  AND ({run:String} = '' OR Run = {run:String} OR RunId = {run:String})
  AND (positionCaseInsensitiveUTF8(InputMessages, {text:String}) > 0 OR positionCaseInsensitiveUTF8(OutputMessages, {text:String}) > 0
       OR positionCaseInsensitiveUTF8(SystemInstructions, {text:String}) > 0 OR positionCaseInsensitiveUTF8(SpanName, {text:String}) > 0
       OR positionCaseInsensitiveUTF8(StatusMessage, {text:String}) > 0 OR positionCaseInsensitiveUTF8(ErrorType, {text:String}) > 0)
ORDER BY Timestamp DESC, SpanId DESC
LIMIT {limit:UInt32}
