SELECT timestamp, model, provider, input_tokens, output_tokens, latency, cost, is_error, span_id
FROM llm_logs WHERE trace_id = if(decodeURLComponent('${trace_id:percentencode}') != '', decodeURLComponent('${trace_id:percentencode}'), (SELECT trace_id FROM llm_logs WHERE $__timeFilter(timestamp) AND (decodeURLComponent('${run:percentencode}') = '' OR process_run_id = decodeURLComponent('${run:percentencode}') OR run_id = decodeURLComponent('${run:percentencode}')) ORDER BY timestamp DESC LIMIT 1))
ORDER BY timestamp
