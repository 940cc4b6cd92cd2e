-- Who descends from whom: each parent → child edge with both ends' generation and fitness.
-- Parameters: since, until, run (an evolution run id, '' = all).
WITH inds AS (
    SELECT individual_id, any(generation) AS generation, any(fitness_score) AS fitness, any(run_id) AS run_id
    FROM individuals
    WHERE timestamp >= {since:DateTime64(9)} AND timestamp < {until:DateTime64(9)}
      AND ({run:String} = '' OR run_id = {run:String})
    GROUP BY individual_id
)
SELECT i.run_id AS run_id, i.individual_id AS child_id, i.generation AS child_generation,
    i.fitness AS child_fitness, l.parent_id AS parent_id, p.generation AS parent_generation,
    p.fitness AS parent_fitness, l.mutation_type AS mutation_type, l.fitness_delta AS fitness_delta
FROM inds AS i
LEFT JOIN code_lineages AS l ON l.child_id = i.individual_id
LEFT JOIN inds AS p ON p.individual_id = l.parent_id
ORDER BY run_id, child_generation
