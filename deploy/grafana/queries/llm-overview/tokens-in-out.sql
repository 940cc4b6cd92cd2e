SELECT $__timeInterval(timestamp) AS time, sum(input_tokens) AS input, sum(output_tokens) AS output
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
GROUP BY time ORDER BY time
