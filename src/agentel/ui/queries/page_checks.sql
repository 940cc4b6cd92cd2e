-- Passed and failed check counts per call for the calls on one page.
SELECT span_id, countIf(passed) AS n_passed, countIf(NOT passed) AS n_failed
FROM eval_checks
WHERE has(splitByChar(',', {spans:String}), span_id)
GROUP BY span_id
