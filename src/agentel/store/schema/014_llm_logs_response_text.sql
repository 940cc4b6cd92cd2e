-- llm_logs.response is the answer's text (issue 18 item 12): the text parts of the output messages
-- (OTel GenAI `parts`, or a flattened message's `content`), one message per line, so
-- `substring(response, 1, 100)` reads as the answer; output that is not a JSON list of messages
-- (OpenInference `output.value` text) is kept as it is. The structured output messages (JSON, as
-- stored in llm_calls.OutputMessages) are in their own column, output_messages.
CREATE OR REPLACE VIEW {db}.llm_logs AS
SELECT
    Timestamp AS timestamp,
    Model AS model,
    Provider AS provider,
    Operation AS operation,
    InputMessages AS messages,
    if(startsWith(OutputMessages, '[') AND isValidJSON(OutputMessages),
       arrayStringConcat(arrayFilter(t -> t != '', arrayMap(m -> if(JSONHas(m, 'parts'),
           arrayStringConcat(arrayMap(p -> JSONExtractString(p, 'content'),
               arrayFilter(p -> JSONExtractString(p, 'type') = 'text', JSONExtractArrayRaw(m, 'parts'))), ''),
           JSONExtractString(m, 'content')), JSONExtractArrayRaw(OutputMessages))), '\n'),
       OutputMessages) AS response,
    OutputMessages AS output_messages,
    SystemInstructions AS instructions,
    CostUsd AS cost,
    InputTokens AS input_tokens,
    OutputTokens AS output_tokens,
    InputTokens + OutputTokens AS total_tokens,
    CacheReadTokens AS cache_read_tokens,
    CacheWriteTokens AS cache_write_tokens,
    DurationMs / 1000 AS latency,
    TtftMs / 1000 AS time_to_first_token,
    IsError AS is_error,
    ErrorType AS error_type,
    Run AS run_id,
    RunId AS process_run_id,
    Task AS task,
    Iteration AS iteration,
    TraceId AS trace_id,
    SpanId AS span_id,
    ServiceName AS service_name,
    TokensEstimated AS tokens_estimated,
    Convention AS convention
FROM {db}.{prefix}llm_calls;
