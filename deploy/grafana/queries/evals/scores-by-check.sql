SELECT check_name, count() AS runs, avg(passed) AS pass_rate, avg(score) AS mean_score,
    min(score) AS min_score, max(score) AS max_score
FROM eval_checks WHERE $__timeFilter(timestamp) AND $__conditionalAll(check_name IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${check:percentencode}'))), $check)
GROUP BY check_name ORDER BY pass_rate
