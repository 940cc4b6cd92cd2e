-- The generation monitor's generations in a window: when each ended, how long it took, how long
-- the conversation was (mon.generation(conversation_length=N)) and its status.
-- Parameters: since, until, run.
SELECT toString(Timestamp + toIntervalNanosecond(Duration)) AS time,
    Duration / 1e6 AS duration_ms,
    toInt64OrNull(SpanAttributes['generation.conversation_length']) AS conversation_length,
    SpanAttributes['generation.status'] AS status,
    SpanAttributes['generation.generator'] AS generator
FROM otel_traces
WHERE SpanName = 'generation' AND mapContains(SpanAttributes, 'generation.generator')
  AND Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR SpanAttributes['run'] = {run:String}
       OR ResourceAttributes['agentel.run_id'] = {run:String})
ORDER BY Timestamp
