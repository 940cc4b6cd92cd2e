-- Span kind and status as the collector's ClickHouse exporter writes them (pdata's String():
-- Internal, Client, ..., Unset, Ok, Error). Rows written earlier by agentel spelled them
-- SPAN_KIND_* / STATUS_CODE_*: rewrite them in place (a mutation; queries and views accept both
-- spellings, so rows not yet rewritten read the same).
ALTER TABLE {db}.{prefix}otel_traces
UPDATE
    SpanKind = if(startsWith(SpanKind, 'SPAN_KIND_'),
                  concat(substring(SpanKind, 11, 1), lower(substring(SpanKind, 12))), SpanKind),
    StatusCode = if(startsWith(StatusCode, 'STATUS_CODE_'),
                    concat(substring(StatusCode, 13, 1), lower(substring(StatusCode, 14))), StatusCode)
WHERE startsWith(SpanKind, 'SPAN_KIND_') OR startsWith(StatusCode, 'STATUS_CODE_');
