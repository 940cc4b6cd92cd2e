SELECT l.model AS model, e.check_name AS check_name, count() AS runs, avg(e.passed) AS pass_rate
FROM eval_checks AS e INNER JOIN llm_logs AS l ON e.trace_id = l.trace_id AND e.span_id = l.span_id
WHERE $__timeFilter(e.timestamp) AND $__conditionalAll(e.check_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${check:percentencode}'))), $check)
GROUP BY model, check_name ORDER BY model, check_name
