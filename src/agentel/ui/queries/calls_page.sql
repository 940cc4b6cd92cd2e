-- One page of calls, newest first, with keyset paging on (Timestamp, SpanId): the cursor is the
-- last row of the previous page, so page N costs what page 1 costs. Empty parameters mean "any".
SELECT Timestamp AS timestamp, TraceId AS trace_id, SpanId AS span_id, Model AS model, Run AS run_id,
    Provider AS provider, InputTokens AS input_tokens, OutputTokens AS output_tokens, CostUsd AS cost,
    DurationMs AS latency_ms, IsError AS is_error, ErrorType AS error_type
FROM llm_calls
WHERE ({model:String} = '' OR Model = {model:String})
  AND ({run:String} = '' OR Run = {run:String})
  AND ({since:String} = '' OR Timestamp >= parseDateTime64BestEffortOrNull({since:String}, 9, 'UTC'))
  AND ({until:String} = '' OR Timestamp < parseDateTime64BestEffortOrNull({until:String}, 9, 'UTC'))
  AND ({status:String} = '' OR IsError = ({status:String} = 'error'))
  AND ({feedback:String} = ''
       OR ({feedback:String} = 'good' AND SpanId IN (SELECT SpanId FROM feedback_events WHERE Good = 1))
       OR ({feedback:String} = 'bad' AND SpanId IN (SELECT SpanId FROM feedback_events WHERE Good = 0))
       OR ({feedback:String} = 'any' AND SpanId IN (SELECT SpanId FROM feedback_events))
       OR ({feedback:String} = 'none' AND SpanId NOT IN (SELECT SpanId FROM feedback_events)))
  AND ({failing:UInt8} = 0 OR SpanId IN (SELECT span_id FROM eval_checks WHERE NOT passed))
  AND ({cur_ts:String} = ''
       OR Timestamp < parseDateTime64BestEffortOrNull({cur_ts:String}, 9, 'UTC')
       OR (Timestamp = parseDateTime64BestEffortOrNull({cur_ts:String}, 9, 'UTC') AND SpanId < {cur_span:String}))
ORDER BY Timestamp DESC, SpanId DESC
LIMIT {limit:UInt32}
