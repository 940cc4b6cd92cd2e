-- OTLP-JSON trace export requests (one per line) → otel_traces, parsed by ClickHouse's own JSON reader.
-- Rendered by agentel.store.loader: {attrs:EXPR} expands to the attribute-list → Map conversion;
-- {lines} bounds the read to the lines the loader saw (a file being appended to is read up to there).
INSERT INTO {db}.{prefix}otel_traces
SELECT
  fromUnixTimestamp64Nano(toInt64(sp.startTimeUnixNano)) AS Timestamp,
  sp.traceId AS TraceId, sp.spanId AS SpanId, sp.parentSpanId AS ParentSpanId, sp.traceState AS TraceState,
  sp.name AS SpanName,
  ['SPAN_KIND_UNSPECIFIED','SPAN_KIND_INTERNAL','SPAN_KIND_SERVER','SPAN_KIND_CLIENT','SPAN_KIND_PRODUCER','SPAN_KIND_CONSUMER'][(sp.kind % 6) + 1] AS SpanKind,
  res['service.name'] AS ServiceName,
  res AS ResourceAttributes,
  ss.scope.name AS ScopeName, ss.scope.version AS ScopeVersion,
  {attrs:sp.attributes} AS SpanAttributes,
  greatest(sp.endTimeUnixNano, sp.startTimeUnixNano) - sp.startTimeUnixNano AS Duration,
  ['STATUS_CODE_UNSET','STATUS_CODE_OK','STATUS_CODE_ERROR'][(sp.status.code % 3) + 1] AS StatusCode,
  sp.status.message AS StatusMessage,
  arrayMap(e -> fromUnixTimestamp64Nano(toInt64(e.timeUnixNano)), sp.events) AS `Events.Timestamp`,
  arrayMap(e -> e.name, sp.events) AS `Events.Name`,
  arrayMap(e -> {attrs:e.attributes}, sp.events) AS `Events.Attributes`,
  arrayMap(l -> l.traceId, sp.links) AS `Links.TraceId`,
  arrayMap(l -> l.spanId, sp.links) AS `Links.SpanId`,
  arrayMap(l -> l.traceState, sp.links) AS `Links.TraceState`,
  arrayMap(l -> {attrs:l.attributes}, sp.links) AS `Links.Attributes`
FROM (
  -- resource attributes become a Map once per resource, before its spans are unrolled
  SELECT res, ss, sp FROM (
    SELECT {attrs:rs.resource.attributes} AS res, rs.scopeSpans AS scopeSpans
    FROM (SELECT resourceSpans FROM file({path}, 'JSONEachRow', {structure}) LIMIT {lines})
    ARRAY JOIN resourceSpans AS rs
  )
  ARRAY JOIN scopeSpans AS ss
  ARRAY JOIN ss.spans AS sp
)
SETTINGS input_format_json_read_objects_as_strings = 1, input_format_skip_unknown_fields = 1,
-- ClickHouse's defaults, pinned: a chunk (<= 128 MiB of JSON, <= 500k spans) stays one block, so a
-- parse error inserts nothing and the loader goes line by line (forcing one block is 35% slower)
min_insert_block_size_rows = 1048449, min_insert_block_size_bytes = 268435456
