-- How long did evaluations take? (Spans named `evaluation <name>`, as the packs record them.)
-- Parameters: since, until.
SELECT SpanAttributes['gen_ai.evaluation.name'] AS name, Duration / 1e6 AS duration_ms
FROM otel_traces
WHERE SpanName LIKE 'evaluation %'
  AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
