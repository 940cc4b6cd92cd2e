-- Feedback given in a window, newest first, with the judged call's model (none for a trace).
SELECT toString(f.Timestamp) AS timestamp, f.TraceId AS trace_id, f.SpanId AS span_id, f.Good AS good,
    f.Comment AS comment, f.ReferenceAnswer AS reference_answer, c.Model AS model
FROM feedback_events AS f
LEFT JOIN (
    SELECT SpanId, any(Model) AS Model FROM llm_calls
    WHERE SpanId IN (SELECT SpanId FROM feedback_events
                     WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)})
    GROUP BY SpanId
) AS c ON c.SpanId = f.SpanId
WHERE f.Timestamp >= {since:DateTime64(9)} AND f.Timestamp < {until:DateTime64(9)}
  AND ({verdict:String} = '' OR ({verdict:String} = 'good' AND f.Good = 1)
       OR ({verdict:String} = 'bad' AND f.Good = 0) OR ({verdict:String} = 'comment' AND f.Good IS NULL))
  AND ({model:String} = '' OR c.Model = {model:String})
ORDER BY f.Timestamp DESC
LIMIT {limit:UInt32}
