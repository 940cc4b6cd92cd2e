SELECT individual_id AS id, concat('gen ', toString(generation)) AS subtitle,
    round(fitness_score, 3) AS mainstat, code_hash AS detail__code_hash
FROM individuals WHERE $__timeFilter(timestamp) AND $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
LIMIT 500
