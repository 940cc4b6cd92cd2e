-- Which metric points were recorded in a window? Gauges and sums as values, histograms as
-- count/sum/min/max (value = the mean). Attributes as JSON.
-- Parameters: since, until, metric (a LIKE pattern, '' = all).
SELECT * FROM (
    SELECT TimeUnix AS time, MetricName AS metric, 'gauge' AS kind, MetricUnit AS unit, ServiceName AS service,
        ResourceAttributes['agentel.run_id'] AS run_id, toJSONString(Attributes) AS attributes,
        Value AS value, CAST(NULL, 'Nullable(UInt64)') AS count, CAST(NULL, 'Nullable(Float64)') AS sum,
        CAST(NULL, 'Nullable(Float64)') AS min, CAST(NULL, 'Nullable(Float64)') AS max
    FROM otel_metrics_gauge
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
    UNION ALL
    SELECT TimeUnix, MetricName, if(IsMonotonic, 'counter', 'sum'), MetricUnit, ServiceName,
        ResourceAttributes['agentel.run_id'], toJSONString(Attributes),
        Value, NULL, NULL, NULL, NULL
    FROM otel_metrics_sum
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
    UNION ALL
    SELECT TimeUnix, MetricName, 'histogram', MetricUnit, ServiceName,
        ResourceAttributes['agentel.run_id'], toJSONString(Attributes),
        if(Count > 0, Sum / Count, NULL), Count, Sum, Min, Max
    FROM otel_metrics_histogram
    WHERE TimeUnix >= {since:DateTime64(9)} AND TimeUnix < {until:DateTime64(9)}
      AND ({metric:String} = '' OR MetricName LIKE {metric:String})
)
ORDER BY time, metric
