-- Pass rate of each day's evaluation results (one check, or all), for the chart over time.
SELECT toString(toDate(timestamp)) AS day, count() AS results, avg(passed) AS pass_rate
FROM eval_checks
WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)}
  AND ({check:String} = '' OR check_name = {check:String})
GROUP BY day
ORDER BY day
LIMIT 400
