SELECT $__timeInterval(timestamp) AS time, countIf(good = 1) AS good_count, countIf(good = 0) AS bad_count
FROM feedback WHERE $__timeFilter(timestamp)
GROUP BY time ORDER BY time
