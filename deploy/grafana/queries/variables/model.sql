SELECT DISTINCT model FROM llm_logs WHERE $__timeFilter(timestamp) ORDER BY 1
