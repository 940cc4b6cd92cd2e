SELECT DISTINCT check_name FROM eval_checks WHERE $__timeFilter(timestamp) ORDER BY 1
