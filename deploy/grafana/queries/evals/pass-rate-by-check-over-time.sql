SELECT $__timeInterval(timestamp) AS time, check_name, avg(passed) AS pass_rate
FROM eval_checks WHERE $__timeFilter(timestamp) AND $__conditionalAll(check_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${check:percentencode}'))), $check)
GROUP BY time, check_name ORDER BY time
