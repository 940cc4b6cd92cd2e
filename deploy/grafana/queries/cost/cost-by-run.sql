SELECT run_id, any(task) AS task, count() AS calls, sum(total_tokens) AS tokens, sum(cost) AS cost_usd
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
GROUP BY run_id ORDER BY cost_usd DESC LIMIT 50
