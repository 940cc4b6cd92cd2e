SELECT model, count() AS calls, sum(total_tokens) AS tokens, sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens, sum(cost) AS cost_usd,
    sum(cost) / nullIf(sum(total_tokens), 0) * 1000 AS usd_per_1k_tokens
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
GROUP BY model ORDER BY cost_usd DESC
