-- How many rows does each main table hold?
SELECT 'otel_traces' AS table, count() AS rows FROM otel_traces
UNION ALL SELECT 'otel_logs', count() FROM otel_logs
UNION ALL SELECT 'otel_metrics_sum', count() FROM otel_metrics_sum
UNION ALL SELECT 'otel_metrics_gauge', count() FROM otel_metrics_gauge
UNION ALL SELECT 'otel_metrics_histogram', count() FROM otel_metrics_histogram
UNION ALL SELECT 'llm_calls', count() FROM llm_calls
UNION ALL SELECT 'eval_results', count() FROM eval_results
UNION ALL SELECT 'feedback_events', count() FROM feedback_events
UNION ALL SELECT 'pack_events', count() FROM pack_events
