-- Which metric points were recorded in a window? Gauges and sums as values, histograms as
-- count/sum/min/max (value = the mean). Attributes as JSON.
-- One row per point: an SDK re-exports every cumulative series (and the last gauge value) at each
-- collection and again at flush/shutdown, so the same point arrives several times with new
-- timestamps; rows of one series (metric, resource run, attributes, start time) with the same
-- value are one point, shown at the time it was first exported.
-- Parameters: since, until, metric (a LIKE pattern, '' = all).
SELECT * FROM (
    SELECT min(TimeUnix) AS time, MetricName AS metric, 'gauge' AS kind, MetricUnit AS unit, ServiceName AS service,
        ResourceAttributes['agentel.run_id'] AS run_id, toJSONString(Attributes) AS attributes,
        Value AS value, CAST(NULL, 'Nullable(UInt64)') AS count, CAST(NULL, 'Nullable(Float64)') AS sum,
        CAST(NULL, 'Nullable(Float64)') AS min, CAST(NULL, 'Nullable(Float64)') AS max
    FROM otel_metrics_gauge
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
    GROUP BY metric, unit, service, run_id, attributes, StartTimeUnix, value
    UNION ALL
    SELECT min(TimeUnix), MetricName AS metric, if(IsMonotonic, 'counter', 'sum') AS kind, MetricUnit AS unit,
        ServiceName AS service, ResourceAttributes['agentel.run_id'] AS run_id,
        toJSONString(Attributes) AS attributes, Value AS value, NULL, NULL, NULL, NULL
    FROM otel_metrics_sum
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
    GROUP BY metric, kind, unit, service, run_id, attributes, StartTimeUnix, value
    UNION ALL
    SELECT min(TimeUnix), MetricName AS metric, 'histogram', MetricUnit AS unit, ServiceName AS service,
        ResourceAttributes['agentel.run_id'] AS run_id, toJSONString(Attributes) AS attributes,
        if(Count > 0, Sum / Count, NULL), Count, Sum, Min, Max
    FROM otel_metrics_histogram
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
    GROUP BY metric, unit, service, run_id, attributes, StartTimeUnix, Count, Sum, Min, Max
)
ORDER BY time, metric, attributes
