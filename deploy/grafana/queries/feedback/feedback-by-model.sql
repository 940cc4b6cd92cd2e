SELECT l.model AS model, count() AS feedback, avg(f.good) AS good_ratio
FROM feedback AS f INNER JOIN llm_logs AS l ON f.trace_id = l.trace_id AND f.span_id = l.span_id
WHERE $__timeFilter(f.timestamp)
GROUP BY model ORDER BY feedback DESC
