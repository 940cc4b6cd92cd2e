-- The latest feedback per call for the calls on one page.
SELECT span_id, argMax(good, timestamp) AS latest_good, count() AS n
FROM feedback
WHERE has(splitByChar(',', {spans:String}), span_id)
GROUP BY span_id
