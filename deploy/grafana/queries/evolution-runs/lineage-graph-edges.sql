SELECT concat(parent_id, '->', child_id) AS id, parent_id AS source, child_id AS target,
    mutation_type AS mainstat
FROM code_lineages WHERE $__timeFilter(timestamp) AND $__conditionalAll(run_id IN splitByChar(',', trim(BOTH '{}' FROM decodeURLComponent('${evo_run:percentencode}'))), $evo_run)
LIMIT 1000
