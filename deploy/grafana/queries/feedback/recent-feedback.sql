SELECT f.timestamp AS timestamp, f.good AS good, f.comment AS comment,
    f.reference_answer AS reference_answer, l.model AS model, f.trace_id AS trace_id
FROM feedback AS f LEFT JOIN llm_logs AS l ON f.trace_id = l.trace_id AND f.span_id = l.span_id
WHERE $__timeFilter(f.timestamp)
ORDER BY timestamp DESC LIMIT 100
