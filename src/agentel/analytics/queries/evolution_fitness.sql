-- How did fitness evolve: best and average score per generation of each evolutionary run?
-- Parameters: since, until, run (an evolution run id, '' = all).
SELECT run_id, generation, max(best_score) AS best_score, avg(avg_score) AS avg_score,
    max(population_size) AS population_size, toString(max(timestamp)) AS last
FROM generations
WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)}
  AND ({run:String} = '' OR run_id = {run:String})
GROUP BY run_id, generation
ORDER BY run_id, generation
