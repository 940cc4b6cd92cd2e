SELECT generation, max(best_score) AS best_score, avg(avg_score) AS avg_score
FROM generations WHERE $__timeFilter(timestamp) AND $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
GROUP BY generation ORDER BY generation
