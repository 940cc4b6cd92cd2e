-- Who descends from whom: each parent → child edge with both ends' generation and fitness.
-- Parameters: since, until, run (an evolution run id, '' = all).
WITH inds AS (
    SELECT individual_id AS id, any(generation) AS gen, any(fitness_score) AS fit, any(run_id) AS evo_run
    FROM individuals
    WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR run_id = {run:String})
    GROUP BY individual_id
)
SELECT i.evo_run AS run_id, i.id AS child_id, i.gen AS child_generation, i.fit AS child_fitness,
    l.parent_id AS parent_id, p.gen AS parent_generation, p.fit AS parent_fitness,
    l.mutation_type AS mutation_type, l.fitness_delta AS fitness_delta
FROM inds AS i
LEFT JOIN code_lineages AS l ON l.child_id = i.id
LEFT JOIN inds AS p ON p.id = l.parent_id
ORDER BY run_id, child_generation
