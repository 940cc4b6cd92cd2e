-- OTLP-JSON trace export requests (one per line) → otel_traces, parsed by ClickHouse's own JSON reader.
-- Rendered by agentel.store.loader: {attrs:EXPR} expands to the attribute-list → Map conversion
-- (keys sorted, values as rows.as_string; a value it cannot render exactly throws, and the loader
-- then takes the line-by-line path), {id:EXPR} to an id as the exporter writes it;
-- {cutoff} (Unix ns) is the TTL's: an older span throws too (the loader records it, not the engine's TTL);
-- {lines} bounds the read to the lines the loader saw (a file being appended to is read up to there).
INSERT INTO {db}.{prefix}otel_traces
SELECT
  fromUnixTimestamp64Nano(toInt64(sp.startTimeUnixNano + throwIf(sp.startTimeUnixNano > 9223372036854775807 OR sp.startTimeUnixNano < {cutoff}, 'agentel: time beyond 2262 or older than the TTL'))) AS Timestamp,
  {id:sp.traceId} AS TraceId, {id:sp.spanId} AS SpanId, {id:sp.parentSpanId} AS ParentSpanId, sp.traceState AS TraceState,
  sp.name AS SpanName,
  -- pdata's SpanKind.String() / StatusCode.String(), as the collector's exporter writes them
  if(sp.kind < 6, ['Unspecified','Internal','Server','Client','Producer','Consumer'][sp.kind + 1], '') AS SpanKind,
  res['service.name'] AS ServiceName,
  res AS ResourceAttributes,
  ss.scope.name AS ScopeName, ss.scope.version AS ScopeVersion,
  {attrs:sp.attributes} AS SpanAttributes,
  -- unsigned 64-bit subtraction, as the exporter's (a span ending before it starts wraps)
  toUInt64(toInt64(sp.endTimeUnixNano) - toInt64(sp.startTimeUnixNano)) AS Duration,
  if(sp.status.code < 3, ['Unset','Ok','Error'][sp.status.code + 1], '') AS StatusCode,
  sp.status.message AS StatusMessage,
  arrayMap(e -> fromUnixTimestamp64Nano(toInt64(e.timeUnixNano + throwIf(e.timeUnixNano > 9223372036854775807, 'agentel: time beyond 2262'))), sp.events) AS `Events.Timestamp`,
  arrayMap(e -> e.name, sp.events) AS `Events.Name`,
  arrayMap(e -> {attrs:e.attributes}, sp.events) AS `Events.Attributes`,
  arrayMap(l -> {id:l.traceId}, sp.links) AS `Links.TraceId`,
  arrayMap(l -> {id:l.spanId}, sp.links) AS `Links.SpanId`,
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
