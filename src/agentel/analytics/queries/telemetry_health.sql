-- What did programs report about their own telemetry? Latest cumulative value per process and
-- series, summed: dropped records, redactions, events with unregistered names.
SELECT MetricName AS metric, sum(v) AS total
FROM (
    SELECT MetricName, ResourceAttributes['agentel.run_id'] AS r, Attributes, argMax(Value, TimeUnix) AS v
    FROM otel_metrics_sum
    WHERE MetricName IN ('agentel.telemetry.dropped', 'agentel.redaction.redacted', 'agentel.events.unregistered')
    GROUP BY MetricName, r, Attributes
)
GROUP BY metric
