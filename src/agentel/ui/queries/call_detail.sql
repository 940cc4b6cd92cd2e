-- One call with everything that was captured (content is stored after redaction).
SELECT timestamp, trace_id, span_id, model, provider, operation, run_id, process_run_id, task,
    iteration, service_name, messages, instructions, output_messages AS response, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, cost, latency, time_to_first_token, is_error, error_type,
    tokens_estimated
FROM llm_logs
WHERE trace_id = {trace:String} AND span_id = {span:String}
LIMIT 1
