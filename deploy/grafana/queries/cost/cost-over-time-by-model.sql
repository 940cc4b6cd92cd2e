SELECT $__timeInterval(timestamp) AS time, model, sum(cost) AS cost
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
GROUP BY time, model ORDER BY time
