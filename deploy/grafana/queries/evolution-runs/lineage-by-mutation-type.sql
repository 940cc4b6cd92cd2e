SELECT mutation_type, count() AS children, countIf(fitness_delta > 0) AS improved,
    avg(fitness_delta) AS mean_fitness_delta
FROM code_lineages WHERE $__timeFilter(timestamp) AND $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
GROUP BY mutation_type ORDER BY children DESC
