SELECT DISTINCT run_id FROM evolution_runs WHERE $__timeFilter(started_at) ORDER BY 1
