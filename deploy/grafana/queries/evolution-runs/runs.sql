SELECT r.run_id AS run_id, r.task_name AS task_name, r.status AS status, r.started_at AS started_at,
    r.duration_s AS duration_s, g.generations AS generations, g.best_score AS best_score, r.trace_id AS trace_id
FROM evolution_runs AS r
LEFT JOIN (SELECT run_id, count() AS generations, max(best_score) AS best_score FROM generations GROUP BY run_id) AS g
    ON g.run_id = r.run_id
WHERE $__timeFilter(r.started_at) AND $__conditionalAll(r.run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
ORDER BY started_at DESC LIMIT 100
