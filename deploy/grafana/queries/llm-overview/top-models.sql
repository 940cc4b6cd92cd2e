SELECT model, any(provider) AS provider, count() AS calls, sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens, sum(cost) AS cost_usd,
    quantile(0.5)(latency) AS p50_latency, quantile(0.95)(latency) AS p95_latency,
    avg(is_error) AS error_rate
FROM llm_logs WHERE $__timeFilter(timestamp) AND $__conditionalAll(service_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${service:percentencode}'))), $service) AND $__conditionalAll(model IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${model:percentencode}'))), $model)
GROUP BY model ORDER BY calls DESC LIMIT 20
