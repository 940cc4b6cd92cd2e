-- What did evaluations score, per evaluation name and time bucket?
-- Parameters: since, until, bucket_s.
SELECT toStartOfInterval(Timestamp, toIntervalSecond({bucket_s:UInt32})) AS time,
    toString(Name) AS name, avg(ScoreValue) AS mean_score, count() AS n
FROM eval_results
WHERE Timestamp >= {since:DateTime64(9)} AND Timestamp < {until:DateTime64(9)} AND ScoreValue IS NOT NULL
GROUP BY time, name
ORDER BY time, name
