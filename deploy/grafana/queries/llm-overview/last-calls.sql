SELECT timestamp, model, run_id, task, input_tokens, output_tokens, latency, cost, is_error,
    error_type, trace_id
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
ORDER BY timestamp DESC LIMIT 50
