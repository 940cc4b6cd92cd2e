SELECT uniqExact(trace_id, span_id) AS calls FROM feedback WHERE $__timeFilter(timestamp)
