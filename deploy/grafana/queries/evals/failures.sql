SELECT timestamp, check_name, score, label, explanation, trace_id
FROM eval_checks WHERE $__timeFilter(timestamp) AND NOT passed AND $__conditionalAll(check_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${check:percentencode}'))), $check)
ORDER BY timestamp DESC LIMIT 100
