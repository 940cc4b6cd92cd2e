SELECT individual_id, run_id, generation, fitness_score, code_hash, metrics
FROM individuals WHERE $__timeFilter(timestamp) AND $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
ORDER BY fitness_score DESC LIMIT 20
