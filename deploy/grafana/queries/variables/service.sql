SELECT DISTINCT service_name FROM llm_logs WHERE $__timeFilter(timestamp) ORDER BY 1
